import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDockerfile, DockerfileParseError } from './dockerfile-parser.js'
import { parseGoDuration, toStages } from './instructions.js'
import { expandWord, expandWords, splitWords } from './shell-words.js'

const parse = (text: string) => toStages(parseDockerfile(text), 'Dockerfile')

function parseError(text: string): DockerfileParseError {
  try {
    parse(text)
  } catch (err) {
    assert.ok(err instanceof DockerfileParseError, String(err))
    return err
  }
  assert.fail('expected a parse error')
}

test('parseDockerfile() reads instructions case-insensitively with their lines', () => {
  const p = parseDockerfile('# comment\nfrom busybox\n\nRun echo hi\ncmd ["sh"]\n')
  assert.deepEqual(p.nodes.map((n) => [n.keyword, n.rest, n.startLine]), [
    ['FROM', 'busybox', 2],
    ['RUN', 'echo hi', 4],
    ['CMD', '["sh"]', 5],
  ])
})

test('parseDockerfile() joins continuation lines, skipping comments and empty lines inside', () => {
  const p = parseDockerfile('FROM busybox\nRUN echo a \\\n  # inner comment\n\n  && echo b\nCMD x\n')
  const run = p.nodes[1]
  assert.equal(run?.rest, 'echo a   && echo b')
  assert.equal(run?.startLine, 2)
  assert.equal(run?.endLine, 5)
  assert.equal(p.nodes[2]?.startLine, 6)
})

test('parseDockerfile() honours the escape directive for continuations', () => {
  const p = parseDockerfile('# escape=`\nFROM busybox\nRUN dir c:\\ `\n  && echo x\n')
  assert.equal(p.escape, '`')
  assert.equal(p.nodes[1]?.rest, 'dir c:\\   && echo x')
})

test('parseDockerfile() reads the syntax directive and stops directives at the first other line', () => {
  const p = parseDockerfile('# syntax=docker/dockerfile:1\n# a comment\n# escape=`\nFROM busybox\nRUN a \\\n b\n')
  assert.equal(p.syntax, 'docker/dockerfile:1')
  assert.equal(p.escape, '\\')
  assert.equal(p.nodes[1]?.rest, 'a  b')
})

test('parseDockerfile() rejects an invalid escape directive', () => {
  assert.throws(() => parseDockerfile('# escape=x\nFROM busybox\n'), /Dockerfile:1: invalid escape token/)
})

test('parseDockerfile() collects heredocs for RUN and COPY', () => {
  const p = parseDockerfile('FROM busybox\nRUN <<EOF\necho $HOME\n  x\nEOF\nCOPY <<-"END" /etc/conf\n\tvalue\n\tEND\nCMD x\n')
  const run = p.nodes[1]
  assert.deepEqual(run?.heredocs, [{ name: 'EOF', content: 'echo $HOME\n  x\n', expand: true, chomp: false }])
  const copy = p.nodes[2]
  assert.deepEqual(copy?.heredocs, [{ name: 'END', content: 'value\n', expand: false, chomp: true }])
  assert.equal(copy?.startLine, 6)
  assert.equal(p.nodes[3]?.startLine, 9)
})

test('parseDockerfile() reads several heredocs of one instruction in order', () => {
  const p = parseDockerfile('FROM busybox\nRUN cat <<A && cat <<B\na\nA\nb\nB\n')
  assert.deepEqual(p.nodes[1]?.heredocs.map((h) => [h.name, h.content]), [['A', 'a\n'], ['B', 'b\n']])
})

test('parseDockerfile() fails on an unterminated heredoc with its line', () => {
  const err = parseError('FROM busybox\nRUN <<EOF\necho hi\n')
  assert.equal(err.line, 2)
  assert.match(err.message, /^Dockerfile:2: unterminated heredoc/)
})

test('parseDockerfile() names an unknown instruction with a suggestion', () => {
  const err = parseError('FORM busybox\n')
  assert.equal(err.message, 'Dockerfile:1: unknown instruction: FORM (did you mean FROM?)')
  assert.match(parseError('FROM busybox\n\nFOOBARBAZ x\n').message, /^Dockerfile:3: unknown instruction: FOOBARBAZ$/)
})

test('toStages() requires FROM first; ARG may precede it', () => {
  assert.match(parseError('RUN echo hi\nFROM busybox\n').message, /^Dockerfile:1: no build stage in current context/)
  assert.match(parseError('# just a comment\n').message, /no build stage in current context/)
  const df = parse('ARG V=1\nFROM busybox:${V} AS Build\nRUN x\nFROM scratch\nCOPY --from=build /a /b\n')
  assert.equal(df.metaArgs.length, 1)
  assert.equal(df.stages.length, 2)
  assert.equal(df.stages[0]?.name, 'build')
  assert.deepEqual(df.stages[1]?.steps[0]?.instruction, { kind: 'COPY', sources: ['/a'], dest: '/b', json: false, heredocs: [], from: 'build' })
})

test('parseInstruction() tells exec form from shell form', () => {
  const df = parse('FROM busybox\nENTRYPOINT ["sleep"]\nCMD 5\nRUN ["echo", "a b"]\nRUN [not json\n')
  const ins = df.stages[0]?.steps.map((s) => s.instruction)
  assert.deepEqual(ins?.[0], { kind: 'ENTRYPOINT', command: { json: ['sleep'] } })
  assert.deepEqual(ins?.[1], { kind: 'CMD', command: { shell: '5' } })
  assert.deepEqual(ins?.[2], { kind: 'RUN', command: { json: ['echo', 'a b'] }, heredocs: [] })
  assert.deepEqual(ins?.[3], { kind: 'RUN', command: { shell: '[not json' }, heredocs: [] })
})

test('parseInstruction() parses ENV and LABEL pairs, including the legacy form', () => {
  const df = parse('FROM busybox\nENV A=1 B="two words" C=x\\ y\nENV OLD some value\nLABEL "a.b"=c\n')
  const ins = df.stages[0]?.steps.map((s) => s.instruction)
  assert.deepEqual(ins?.[0], { kind: 'ENV', pairs: [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }, { key: 'C', value: 'x\\ y' }] })
  assert.deepEqual(ins?.[1], { kind: 'ENV', pairs: [{ key: 'OLD', value: 'some value' }] })
  assert.deepEqual(ins?.[2], { kind: 'LABEL', pairs: [{ key: '"a.b"', value: 'c' }] })
  assert.match(parseError('FROM busybox\nENV A=1 B\n').message, /Dockerfile:2: Syntax error - can't find = in "B"/)
  assert.match(parseError('FROM busybox\nENV ONLY\n').message, /Dockerfile:2: ENV must have two arguments/)
})

test('parseInstruction() rejects unknown flags, bad SHELL and bad ONBUILD', () => {
  assert.equal(parseError('FROM busybox\nCOPY --frm=x a b\n').message, 'Dockerfile:2: Unknown flag: frm')
  assert.match(parseError('FROM busybox\nSHELL /bin/bash -c\n').message, /SHELL requires the arguments to be in JSON form/)
  assert.match(parseError('FROM busybox\nONBUILD ONBUILD RUN x\n').message, /Chaining ONBUILD/)
  assert.match(parseError('FROM busybox\nCOPY onlyone\n').message, /COPY requires at least two arguments/)
  assert.match(parseError('FROM a b\n').message, /FROM requires either one or three arguments/)
})

test('parseInstruction() parses HEALTHCHECK options', () => {
  const df = parse('FROM busybox\nHEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost\nHEALTHCHECK NONE\n')
  const ins = df.stages[0]?.steps.map((s) => s.instruction)
  assert.deepEqual(ins?.[0], { kind: 'HEALTHCHECK', test: ['CMD-SHELL', 'wget -q localhost'], interval: 5e9, retries: 3 })
  assert.deepEqual(ins?.[1], { kind: 'HEALTHCHECK', test: ['NONE'] })
  assert.equal(parseGoDuration('1m30s'), 90e9)
})

test('expandWord() substitutes variables with defaults, alternatives and quotes', () => {
  const env = new Map([['A', 'x'], ['E', '']])
  assert.equal(expandWord('$A-${A}-${B:-def}-${A:+alt}-${B:+alt}', env), 'x-x-def-alt-')
  assert.equal(expandWord('${E:-d}|${E-d}|${E+p}', env), 'd||p')
  assert.equal(expandWord(`'$A'"$A"\\$A`, env), '$Ax$A')
  assert.equal(expandWord('a\\ b', env), 'a b')
  assert.equal(expandWord('cost $5 $', env), 'cost  $')
  assert.equal(expandWord('`$A', env, '`'), '$A')
  assert.throws(() => expandWord('${B:?must be set}', env), /B: must be set/)
  assert.throws(() => expandWord('${A', env), /missing '}'/)
})

test('expandWords() splits unquoted words and keeps quoted ones whole', () => {
  const env = new Map([['P', '80 443']])
  assert.deepEqual(expandWords('$P "8080 9090" 53/udp', env), ['80', '443', '8080 9090', '53/udp'])
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', '"b c"', "'d e'", 'f\\ g'])
})
