let framework: { name: string, version: string } | undefined

/** `{ name: 'nest', version }` of the @nestjs/core in use, for the `nest_version` field. */
export function nestFramework (): { name: string, version: string } {
  if (framework === undefined) {
    let version = 'unknown'
    try {
      version = (require('@nestjs/core/package.json') as { version: string }).version
    } catch { /* a bundled app may not ship package.json files */ }
    framework = Object.freeze({ name: 'nest', version })
  }
  return framework
}
