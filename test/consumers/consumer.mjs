// An ES module application loading every package with import (see drive.cjs): run by the pack
// test against the installed tarballs and a local receiver (LOGSTASH_HOST/PORT). The named
// imports are the point: they fail when Node.js cannot see a CommonJS package's exports.
import 'reflect-metadata'
import { LogstashFormatter, LogstashHandler, createLogger } from '@logstash-async/core'
import express from 'express'
import { logstashErrorMiddleware, logstashMiddleware } from '@logstash-async/express'
import Fastify from 'fastify'
import { logstashPlugin } from '@logstash-async/fastify'
import { Controller, Get, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { LogstashModule } from '@logstash-async/nest'
import { drive } from './drive.cjs'

await drive(process.env.CONSUMER ?? 'esm', {
  LogstashFormatter,
  LogstashHandler,
  createLogger,
  express,
  logstashErrorMiddleware,
  logstashMiddleware,
  Fastify,
  logstashPlugin,
  Controller,
  Get,
  Module,
  NestFactory,
  LogstashModule
})
