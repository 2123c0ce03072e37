import { Global, Module } from '@nestjs/common'

/** The application's settings, read once from the environment (a stand-in for @nestjs/config). */
export class AppConfig {
  readonly logstashHost = process.env.LOGSTASH_HOST ?? '127.0.0.1'
  readonly logstashPort = Number(process.env.LOGSTASH_PORT ?? 5959)
  readonly port = Number(process.env.PORT ?? 3000)
  readonly apiKey = process.env.API_KEY ?? 'secret'
}

@Global()
@Module({ providers: [AppConfig], exports: [AppConfig] })
export class ConfigModule {}
