import { Module } from '@nestjs/common'
import { LogstashModule } from '@logstash-async/nest'
import { AppConfig, ConfigModule } from './config.module'
import { OrdersController } from './orders.controller'
import { OrdersService } from './orders.service'

@Module({
  imports: [
    ConfigModule,
    // Handler options from configuration: the module creates the handler, and closes it at shutdown.
    LogstashModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ host: config.logstashHost, port: config.logstashPort })
    })
  ],
  controllers: [OrdersController],
  providers: [OrdersService]
})
export class AppModule {}
