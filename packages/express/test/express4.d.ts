// The `express4` devDependency is an npm alias of express@4; its API types are Express's.
declare module 'express4' {
  import express = require('express')
  export = express
}
