// Decide a batch with the peer evaluator, as a separate Node process (see ../peer_compare.py).
//
//   node run_peer.cjs CACHE_DIR INPUT.jsonl > OUTPUT.jsonl
//
// CACHE_DIR holds node_modules/@cloud-copilot/iam-simulate, installed there by peer_compare.py
// (outside this repository: the package is AGPL, so it is only ever run, never copied here).
// Each INPUT line is {"id": ..., "simulation": {...}} in the shape of the package's public
// `runSimulation` API; each OUTPUT line is {"id", "outcome"} with the package's overall result
// (Allowed, ExplicitlyDenied, ImplicitlyDenied) and the result of each part of its analysis, or
// {"id", "error"} when it refuses the input.
// Lines are decided one at a time, in order, as a batch CLI would.
'use strict'

const fs = require('node:fs')

// The result of each part of the peer's analysis (identity, resource, scp, ...), to tell why two
// evaluators differ; only for a single-resource result.
function parts(result) {
  const found = {}
  const analysis = result.resultType === 'single' ? result.result.analysis : undefined
  for (const [key, value] of Object.entries(analysis || {})) {
    if (key.endsWith('Analysis') && value && value.result) found[key.slice(0, -8)] = value.result
  }
  return found
}

async function main() {
  const [cacheDir, input] = process.argv.slice(2)
  if (!cacheDir || !input) {
    process.stderr.write('usage: node run_peer.cjs CACHE_DIR INPUT.jsonl\n')
    process.exit(2)
  }
  const peer = require(require.resolve('@cloud-copilot/iam-simulate', { paths: [cacheDir] }))
  const lines = fs.readFileSync(input, 'utf8').split('\n')
  let out = []
  for (const line of lines) {
    if (!line.trim()) continue
    const { id, simulation } = JSON.parse(line)
    let row
    try {
      const result = await peer.runSimulation(simulation, {})
      row = result.resultType === 'error'
        ? { id, error: JSON.stringify(result.errors).slice(0, 2000) }
        : { id, outcome: result.overallResult, parts: parts(result) }
    } catch (err) {
      row = { id, error: `exception: ${err && err.message ? err.message : String(err)}` }
    }
    out.push(JSON.stringify(row))
    if (out.length >= 1000) {
      fs.writeSync(1, out.join('\n') + '\n')
      out = []
    }
  }
  if (out.length) fs.writeSync(1, out.join('\n') + '\n')
}

main().catch((err) => {
  process.stderr.write(`run_peer.cjs: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
