import { test } from 'node:test'
import assert from 'node:assert/strict'
import { flagUsages, wrap } from './help.js'

test('flagUsages() sorts by long name and aligns descriptions like pflag', () => {
  const text = flagUsages(
    [
      { short: 'q', long: 'quiet', description: 'Only display container IDs' },
      { short: 'f', long: 'filter', type: 'filter', description: 'Filter output based on conditions provided' },
      { short: 'a', long: 'all', description: 'Show all containers (default shows just running)' },
    ],
    79,
  )
  assert.equal(
    text,
    '  -a, --all             Show all containers (default shows just running)\n' +
      '  -f, --filter filter   Filter output based on conditions provided\n' +
      '  -q, --quiet           Only display container IDs\n',
  )
})

test('wrap() wraps at the width and indents continuation lines', () => {
  const text = wrap(24, 79, 'Show n last created containers (includes all states) (default -1)')
  assert.equal(text, 'Show n last created containers (includes all\n                        states) (default -1)')
})
