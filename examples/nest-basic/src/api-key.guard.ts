import { Injectable, Logger, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common'
import { AppConfig } from './config.module'

/** Lets requests with the right `x-api-key` through; the rejection is logged once, as a 401. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  // Nest's own Logger writes to the LogstashLogger once main.ts made it the app's logger.
  readonly #logger = new Logger(ApiKeyGuard.name)

  constructor (private readonly config: AppConfig) {}

  canActivate (context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
    if (request.headers['x-api-key'] === this.config.apiKey) return true
    this.#logger.warn('request without a valid API key')
    throw new UnauthorizedException('an x-api-key header is required')
  }
}
