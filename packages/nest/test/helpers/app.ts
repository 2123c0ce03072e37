import 'reflect-metadata'
import {
  Body, Catch, Controller, Get, Inject, Injectable, Module, NotFoundException, Param, Post, UnauthorizedException,
  UseFilters, UseGuards, UseInterceptors, type ArgumentsHost, type CallHandler, type CanActivate, type DynamicModule,
  type ExceptionFilter, type ExecutionContext, type MiddlewareConsumer, type NestInterceptor, type NestMiddleware,
  type NestModule, type PipeTransform
} from '@nestjs/common'
import { HttpAdapterHost } from '@nestjs/core'
import { tap, type Observable } from 'rxjs'
import { InjectLogger, LogstashLogger } from '@logstash-async/nest'

/** Holds requests until the test releases them: concurrency without sleeps. */
export class Barrier {
  arrived = 0
  #release: () => void = () => {}
  #released = new Promise<void>((resolve) => { this.#release = resolve })

  async arrive (): Promise<void> {
    this.arrived++
    await this.#released
  }

  release (): void { this.#release() }

  reset (): void {
    this.arrived = 0
    this.#released = new Promise<void>((resolve) => { this.#release = resolve })
  }
}

export const barrier = new Barrier()

@Injectable()
class TagMiddleware implements NestMiddleware {
  constructor (@InjectLogger() private readonly logger: LogstashLogger) {}

  use (_req: unknown, _res: unknown, next: () => void): void {
    this.logger.log('from middleware', 'TagMiddleware')
    next()
  }
}

@Injectable()
class LoggingGuard implements CanActivate {
  // Injected by class (design:paramtypes), where the middleware uses @InjectLogger().
  constructor (private readonly logger: LogstashLogger) {}

  canActivate (): boolean {
    this.logger.log('from guard', 'LoggingGuard')
    return true
  }
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate (): boolean { return false }
}

@Injectable()
class ThrowingGuard implements CanActivate {
  canActivate (): boolean { throw new UnauthorizedException('who are you?') }
}

/** A route's own filter: turns a RangeError into a 418. */
@Catch(RangeError)
class TeapotFilter implements ExceptionFilter {
  constructor (@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch (_exception: RangeError, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { teapot: true }, 418)
  }
}

/** An application's global filter (`APP_FILTER` in the root module): a NotFoundException is a 410. */
@Catch(NotFoundException)
export class GoneFilter implements ExceptionFilter {
  constructor (@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch (_exception: NotFoundException, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { gone: true }, 410)
  }
}

@Injectable()
class LoggingInterceptor implements NestInterceptor {
  constructor (private readonly logger: LogstashLogger) {}

  intercept (_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.logger.log('from interceptor', 'LoggingInterceptor')
    return next.handle().pipe(tap(() => this.logger.log('from interceptor, after', 'LoggingInterceptor')))
  }
}

@Injectable()
class LoggingPipe implements PipeTransform {
  constructor (private readonly logger: LogstashLogger) {}

  transform (value: unknown): unknown {
    this.logger.log('from pipe', 'LoggingPipe')
    return value
  }
}

@Injectable()
export class OrdersService {
  constructor (@InjectLogger() private readonly logger: LogstashLogger) {}

  async process (orderId: string): Promise<void> {
    // A real turn of the event loop (I/O phase), as a database call would take.
    await new Promise((resolve) => setImmediate(resolve))
    this.logger.log('from service', { orderId }, 'OrdersService')
  }
}

@Controller('orders')
class OrdersController {
  constructor (private readonly service: OrdersService, private readonly logger: LogstashLogger) {}

  @Post(':id')
  @UseGuards(LoggingGuard)
  @UseInterceptors(LoggingInterceptor)
  async create (@Param('id', LoggingPipe) id: string, @Body() body: { item?: string }): Promise<{ id: string }> {
    this.logger.log('from controller', { orderId: id, item: body.item }, 'OrdersController')
    await this.service.process(id)
    return { id }
  }

  @Get('wait/:id')
  async wait (@Param('id') id: string): Promise<{ id: string }> {
    this.logger.log('before barrier', { orderId: id })
    await barrier.arrive()
    await this.service.process(id)
    this.logger.log('after barrier', { orderId: id })
    return { id }
  }

  @Get('missing')
  missing (): never {
    throw new NotFoundException('no such order')
  }

  @Get('crash')
  crash (): never {
    throw new TypeError('wheels came off')
  }

  @Get('teapot')
  @UseFilters(TeapotFilter)
  teapot (): never {
    throw new RangeError('out of tea')
  }

  @Get('unauthorized')
  @UseGuards(ThrowingGuard)
  unauthorized (): string {
    return 'never'
  }

  @Get('denied')
  @UseGuards(DenyGuard)
  denied (): string {
    return 'never'
  }
}

@Module({
  controllers: [OrdersController],
  providers: [OrdersService, LoggingGuard, DenyGuard, ThrowingGuard, LoggingInterceptor, LoggingPipe]
})
export class OrdersModule implements NestModule {
  configure (consumer: MiddlewareConsumer): void {
    consumer.apply(TagMiddleware).forRoutes('*')
  }
}

/** A root module importing `logstash` (and more), the orders feature and `providers`. */
export function rootModule (logstash: DynamicModule, { imports = [], providers = [] }: { imports?: any[], providers?: any[] } = {}): new () => object {
  @Module({ imports: [logstash, OrdersModule, ...imports], providers })
  class AppModule {}
  return AppModule
}
