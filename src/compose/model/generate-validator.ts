import { readFileSync, writeFileSync } from 'node:fs'
import { validatorSource } from './validator-source.js'

/**
 * Regenerates src/compose/model/compose-spec-validator.ts from compose-spec.json.
 * Run from the repository root after updating the schema: node dist/src/compose/model/generate-validator.js
 */
const dir = 'src/compose/model'
writeFileSync(`${dir}/compose-spec-validator.ts`, validatorSource(readFileSync(`${dir}/compose-spec.json`, 'utf8')))
