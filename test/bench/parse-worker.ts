/**
 * A worker thread of `plan-child.ts --parse yaml3-threads`: parses the texts it is sent with
 * yaml 3 exactly as the bare `yaml3` parser does (document, positions, JS value) and answers
 * how many members it found. Nothing of rolecall's own per-file work (guards, schema, rules,
 * normalisation): the floor that splitting the parse over threads can reach.
 */
import { parentPort } from 'node:worker_threads';
import { parseYaml3 } from './parsers.js';

parentPort?.on('message', (texts: string[]) => {
  let members = 0;
  for (const text of texts) members += parseYaml3(text);
  parentPort?.postMessage(members);
});
