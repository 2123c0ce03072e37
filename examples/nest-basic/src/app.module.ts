import { Module } from '@nestjs/common'
import { LogstashModule } from '@logstash-async/nest'
import { AppConfig, ConfigModule } from './config.module'
import { OrdersController } from './orders.controller'
import { OrdersService } from './orders.service'

@Module({
  imports: [
    // First: it then shuts down after every other module, so what they log on shutdown is sent.
    // Handler options from configuration: the module creates the handler, and closes it at shutdown.
    LogstashModule.forRootAsync({
      imports: [ConfigModule],
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ host: config.logstashHost, port: config.logstashPort })
    }),
    ConfigModule
  ],
  controllers: [OrdersController],
  providers: [OrdersService]
})
export class AppModule {}
