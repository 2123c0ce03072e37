import 'reflect-metadata'
import type { AddressInfo } from 'node:net'
import type { INestApplication, NestApplicationOptions } from '@nestjs/common'
import { NestFactory, type AbstractHttpAdapter } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'

/** A Nest HTTP platform a spec runs on. */
export interface Platform {
  readonly name: 'express' | 'fastify'
  adapter (): AbstractHttpAdapter
}

export const PLATFORMS: readonly Platform[] = [
  { name: 'express', adapter: () => new ExpressAdapter() },
  { name: 'fastify', adapter: () => new FastifyAdapter() }
]

/** Runs the specs `define` declares once per platform, in a `describe('on <platform>')`. */
export function forEachPlatform (define: (platform: Platform) => void): void {
  for (const platform of PLATFORMS) describe(`on ${platform.name}`, () => define(platform))
}

/** A Nest application of `rootModule` created on `platform` (Nest's own console logs off unless asked). */
export async function createApp (rootModule: Parameters<typeof NestFactory.create>[0], platform: Platform, options: NestApplicationOptions = {}): Promise<INestApplication> {
  return await NestFactory.create(rootModule, platform.adapter(), { logger: false, ...options })
}

/** Listens on 127.0.0.1, a free port, and returns the base URL for supertest. */
export async function listen (app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address() as AddressInfo
  return `http://127.0.0.1:${port}`
}
