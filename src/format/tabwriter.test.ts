import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatColumns } from './tabwriter.js'

test('formatColumns() pads columns to the widest cell plus 3, at least 10, like docker tables', () => {
  const out = formatColumns('CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox:latest\tweb\n')
  assert.equal(out, 'CONTAINER ID   IMAGE            NAMES\nabc            busybox:latest   web\n')
})

test('formatColumns() leaves the last cell of a line unpadded and keeps empty cells aligned', () => {
  const out = formatColumns('A\tB\tC\n1\t\t3\n')
  assert.equal(out, 'A         B         C\n1                   3\n')
})

test('formatColumns() starts new column blocks after a line without tabs', () => {
  const out = formatColumns('x\ty\nheading\nlonger-cell-here\tz\n')
  assert.equal(out, 'x         y\nheading\nlonger-cell-here   z\n')
})

test('formatColumns() counts characters, not bytes, for the ellipsis', () => {
  const out = formatColumns('"sh -c …"\tX\nab\tY\n')
  assert.equal(out, '"sh -c …"   X\nab          Y\n')
})

test('formatColumns() honours other minimum widths and paddings (docker version layout)', () => {
  const out = formatColumns(' Version:\t1.0\n API version:\t1.50\n', { minWidth: 20, padding: 1 })
  assert.equal(out, ' Version:           1.0\n API version:       1.50\n')
})

test('formatColumns() counts a surrogate pair as one character, and a lone surrogate as one', () => {
  assert.equal(formatColumns('\u{1F600}\tX\nab\tY\n'), '\u{1F600}         X\nab        Y\n')
  assert.equal(formatColumns('\uD800\tX\n'), '\uD800         X\n')
})
