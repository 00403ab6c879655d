import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compactJson, indentJson } from './json-indent.js'

test('indentJson() indents like Go json.Indent and keeps values verbatim', () => {
  const raw = '[{"Id":"a","N":1.50,"E":{},"L":[],"S":"x\\"{,}","A":[1,2]}]'
  assert.equal(
    indentJson(raw),
    '[\n    {\n        "Id": "a",\n        "N": 1.50,\n        "E": {},\n        "L": [],\n        "S": "x\\"{,}",\n' +
      '        "A": [\n            1,\n            2\n        ]\n    }\n]',
  )
})

test('compactJson() removes whitespace outside strings only', () => {
  assert.equal(compactJson('{ "a" : "b c",\n "d": [ 1 ] }'), '{"a":"b c","d":[1]}')
})
