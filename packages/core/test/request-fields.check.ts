// Compile-time tests of typed request fields, checked by the test build (`tsc -b`): a wrong
// type fails the build, and so does an `@ts-expect-error` that no longer finds its error.
// Nothing here runs; `typeTests` is never called. The names are unusual on purpose: an
// augmentation applies to the whole test build.
import { requestContext, type RequestContext, type RequestFields } from '@logstash-async/core'

declare module '@logstash-async/core' {
  interface RequestFields {
    checkedTenant: string
    checkedPlan: 'free' | 'pro'
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
declare function assertType<T extends true> (): void

export function typeTests (context: RequestContext): void {
  // Declared fields are checked, alone or together.
  requestContext.assign({ checkedTenant: 'acme' })
  requestContext.assign({ checkedTenant: 'acme', checkedPlan: 'pro' })
  // @ts-expect-error checkedTenant is declared a string
  requestContext.assign({ checkedTenant: 42 })
  // @ts-expect-error checkedPlan is 'free' or 'pro'
  requestContext.assign({ checkedPlan: 'enterprise' })

  // Names nobody declared are still accepted, as before declaring any.
  requestContext.assign({ orderId: 42, cart: { items: 2 } })

  // assign() says whether a request was active.
  assertType<Equal<ReturnType<typeof requestContext.assign>, boolean>>()

  // What was assigned reads back with its declared type.
  assertType<Equal<RequestFields['checkedTenant'], string>>()
  assertType<Equal<NonNullable<typeof context.fields>['checkedPlan'], 'free' | 'pro' | undefined>>()
}
