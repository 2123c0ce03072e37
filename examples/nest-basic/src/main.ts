import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import { LogstashLogger } from '@logstash-async/nest'
import { AppModule } from './app.module'
import { AppConfig } from './config.module'

async function bootstrap (): Promise<void> {
  // Nest's boot logs wait in a buffer until the LogstashLogger takes over: they are shipped too.
  const app = await NestFactory.create(AppModule, { bufferLogs: true })
  app.useLogger(app.get(LogstashLogger))
  // SIGTERM and SIGINT run the shutdown hooks, where the module delivers what is left.
  app.enableShutdownHooks()
  await app.listen(app.get(AppConfig).port, '127.0.0.1')
}

void bootstrap()
