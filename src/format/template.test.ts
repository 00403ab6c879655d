import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderTemplate, templateObject } from './template-exec.js'
import { TemplateError, parseTemplate } from './template-parse.js'

const container = {
  Id: 'abc',
  State: { Status: 'running', Running: true, ExitCode: 0 },
  Config: { Cmd: ['sh', '-c', 'echo hi'], Labels: { 'com.example': 'yes' }, Env: ['A=1', 'B=2'], Entrypoint: null },
  Mounts: [{ Source: '/a' }, { Source: '/b' }],
}

test('renderTemplate() evaluates fields, nested fields and literal text', () => {
  assert.equal(renderTemplate('id={{.Id}} {{.State.Status}}', container), 'id=abc running')
  assert.equal(renderTemplate('{{.State.Running}} {{.State.ExitCode}}', container), 'true 0')
})

test('renderTemplate() prints slices and maps like Go fmt', () => {
  assert.equal(renderTemplate('{{.Config.Cmd}}', container), '[sh -c echo hi]')
  assert.equal(renderTemplate('{{.Config.Labels}}', container), 'map[com.example:yes]')
  assert.equal(renderTemplate('{{.Config.Entrypoint}}', container), '<nil>')
})

test('renderTemplate() supports json, index, join, upper and pipelines', () => {
  assert.equal(renderTemplate('{{json .Config.Labels}}', container), '{"com.example":"yes"}')
  assert.equal(renderTemplate('{{json .}}', { a: '<b>' }), '{"a":"<b>"}')
  assert.equal(renderTemplate('{{index .Config.Labels "com.example"}}', container), 'yes')
  assert.equal(renderTemplate('[{{index .Config.Labels "missing"}}]', container), '[]')
  assert.equal(renderTemplate('{{join .Config.Env ","}}', container), 'A=1,B=2')
  assert.equal(renderTemplate('{{.State.Status | upper}}', container), 'RUNNING')
  assert.equal(renderTemplate('{{index .Config.Cmd 2 | printf "%q"}}', container), '"echo hi"')
  assert.equal(renderTemplate('{{(index .Mounts 1).Source}}', container), '/b')
})

test('renderTemplate() supports if/else, with, range and variables', () => {
  assert.equal(renderTemplate('{{if .State.Running}}up{{else}}down{{end}}', container), 'up')
  assert.equal(renderTemplate('{{if eq .State.Status "exited"}}x{{else if .State.Running}}r{{end}}', container), 'r')
  assert.equal(renderTemplate('{{range .Mounts}}{{.Source}};{{end}}', container), '/a;/b;')
  assert.equal(renderTemplate('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}', container), 'com.example=yes')
  assert.equal(renderTemplate('{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}} {{end}}', container), '0:/a 1:/b ')
  assert.equal(renderTemplate('{{with .State}}{{.Status}}{{end}}', container), 'running')
  assert.equal(renderTemplate('{{range .Nothing}}x{{else}}empty{{end}}', {}), 'empty')
  assert.equal(renderTemplate('{{$id := .Id}}{{$id}}-{{$.Id}}', container), 'abc-abc')
})

test('renderTemplate() trims whitespace around {{- and -}}', () => {
  assert.equal(renderTemplate('a  {{- .Id -}}  \n b', container), 'aabcb')
  assert.equal(renderTemplate('a{{/* comment */}}b', container), 'ab')
})

test('renderTemplate() reports a missing struct field with Go\'s wording', () => {
  const row = templateObject('*formatter.ContainerContext', { ID: 'abc' })
  assert.throws(
    () => renderTemplate('{{.Foo}}', row),
    (err: unknown) =>
      err instanceof TemplateError &&
      err.message === 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext',
  )
})

test('renderTemplate() with strictStructs errors on missing keys of struct-like objects only', () => {
  assert.throws(() => renderTemplate('{{.State.Nope}}', container, { strictStructs: true }), /at <.State.Nope>: map has no entry for key "Nope"/)
  assert.equal(renderTemplate('{{.Config.Labels.other}}', container, { strictStructs: true }), '<no value>')
  assert.equal(renderTemplate('{{.Nope}}', container), '<no value>')
})

test('renderTemplate() calls methods with arguments', () => {
  const row = templateObject('ctx', { Label: (name: unknown) => `label:${String(name)}` })
  assert.equal(renderTemplate('{{.Label "a.b"}}', row), 'label:a.b')
})

test('parseTemplate() rejects unknown functions and unclosed actions', () => {
  assert.throws(() => parseTemplate('{{foo .Id}}'), /template: :1: function "foo" not defined/)
  assert.throws(() => parseTemplate('{{.Id'), /unclosed action/)
  assert.throws(() => parseTemplate('{{if .Id}}x'), /unexpected EOF/)
  assert.throws(() => parseTemplate('{{end}}'), /unexpected \{\{end\}\}/)
})

test('executeTemplate() prints text-and-field templates (the table-row fast path) as the general path does', () => {
  const data = templateObject('T', {
    S: 's', N: 42, F: 1.5, B: true, Nil: null, Undef: undefined, Arr: ['a', 1], Map: { b: 1, a: 2 }, M: () => 'from a method',
  })
  for (const field of ['S', 'N', 'F', 'B', 'Nil', 'Undef', 'Arr', 'Map', 'M']) {
    // {{with .}} takes the general path; the bare template takes the fast one.
    assert.equal(renderTemplate(`<{{.${field}}}>\t{{.S}}`, data), renderTemplate(`{{with .}}<{{.${field}}}>\t{{.S}}{{end}}`, data), field)
  }
  assert.equal(renderTemplate('{{.S}}-{{.M}}', data), 's-from a method')
})

test('executeTemplate() of text-and-field templates still reports fields the object lacks', () => {
  const data = templateObject('*formatter.T', { S: 's' })
  assert.throws(() => renderTemplate('{{.S}} {{.Nope}}', data), /^TemplateError: template: :1:9: executing "" at <.Nope>: can't evaluate field Nope in type \*formatter.T$/)
  assert.equal(renderTemplate('{{.S}} {{.Nope}}', { S: 's' }), 's <no value>')
  assert.throws(() => renderTemplate('{{.S}}', 'text'), /^TemplateError: template: :1:2: executing "" at <.S>: can't evaluate field S in type string$/)
})
