'use strict'
// Runs dynalite's own command line (same arguments), but keeps serving when a client drops a request
// before its body arrived. dynalite 4.0.0 rethrows the request's 'error' event (index.js,
// httpHandler), so one aborted request (ECONNRESET: an SDK call cut off by its deadline, a proxy that
// a test freezes and closes) ended the whole server and every later DynamoDB call of the stack was
// refused. Lambda's DynamoDB never goes away because one caller hung up; the local stand-in must not
// either. Any other uncaught error still ends the process, as before.
process.on('uncaughtException', (err) => {
  if (err && err.code === 'ECONNRESET') {
    console.error(`dynalite: a client dropped a request (${err.message}); still serving`)
    return
  }
  console.error(err)
  process.exit(1)
})
require('dynalite/cli.js')
