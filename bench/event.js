'use strict'

// One application event, the same for every contender: a ~60-character message and five
// fields, one of them nested and one an array. Built afresh for each call, as an
// application builds its fields per log call, so that cost is in every contender's figures.
function makeEvent (i) {
  const orderId = 100000 + (i % 900000)
  return {
    message: `order ${orderId} accepted for customer ${4000 + (i % 1000)} and sent to billing`,
    fields: {
      orderId,
      customer: { id: 4000 + (i % 1000), tier: 'gold', country: 'DE' },
      items: ['sku-1042', 'sku-2210', 'sku-3307'],
      amountCents: 12995 + (i % 100),
      status: 'accepted'
    }
  }
}

/**
 * Calls `log(message, fields)` for `events` events, `chunk` per turn of the event loop
 * (setImmediate between chunks), the way a busy application logs: I/O and timers get their
 * turn between chunks. Resolves after the last call.
 */
function logInChunks (log, events, chunk) {
  return new Promise((resolve) => {
    let i = 0
    const turn = () => {
      const end = Math.min(events, i + chunk)
      for (; i < end; i++) {
        const { message, fields } = makeEvent(i)
        log(message, fields)
      }
      if (i < events) setImmediate(turn)
      else resolve()
    }
    turn()
  })
}

module.exports = { makeEvent, logInChunks }
