import 'reflect-metadata'
import { NestFactory } from '@nestjs/core'
import { LogstashLogger } from '@logstash-async/nest'
import { AppModule } from './app.module'
import { AppConfig } from './config.module'

async function bootstrap (): Promise<void> {
  // Nest's boot logs wait in a buffer until the LogstashLogger takes over: they are shipped too.
  const app = await NestFactory.create(AppModule, { bufferLogs: true })
  app.useLogger(app.get(LogstashLogger))
  // SIGTERM and SIGINT run the shutdown hooks, where the module delivers what is left. Then
  // exit 0: without useProcessExit Nest re-raises the signal, and `npm start` reports the
  // stop (Ctrl-C, a process manager's SIGTERM) as a failure with code 130 or 143.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true })
  await app.listen(app.get(AppConfig).port, '127.0.0.1')
  console.log(`listening on ${await app.getUrl()}`)
}

void bootstrap()
