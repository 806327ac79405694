import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { POLICY_ROLES } from '../../../src/roles.js';
import { readSchema, schemaValidator } from '../../../src/schemas.js';
import { GUARD_NAMES } from '../../../src/types.js';

/**
 * The schema is the single source of truth; `src/policy/raw-policy.ts` mirrors it for
 * TypeScript. This reads both and fails on any key or optionality that differs.
 */
type SchemaNode = Record<string, unknown>;
const root = readSchema('policy') as SchemaNode;
const RAW_POLICY = fileURLToPath(new URL('../../../src/policy/raw-policy.ts', import.meta.url));

function deref(node: SchemaNode): SchemaNode {
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  const name = ref.replace('#/$defs/', '');
  return deref((root['$defs'] as Record<string, SchemaNode>)[name] as SchemaNode);
}

const source = ts.createSourceFile(
  RAW_POLICY,
  readFileSync(RAW_POLICY, 'utf8'),
  ts.ScriptTarget.Latest,
  true,
);
const interfaces = new Map<string, ts.InterfaceDeclaration>();
source.forEachChild((node) => {
  if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
});

function members(name: string): Map<string, { optional: boolean; type: ts.TypeNode }> {
  const declaration = interfaces.get(name);
  if (!declaration) throw new Error(`no interface ${name} in raw-policy.ts`);
  const out = new Map<string, { optional: boolean; type: ts.TypeNode }>();
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member) || !member.type)
      throw new Error(`${name}: only plain properties are supported`);
    out.set(member.name.getText(source), {
      optional: member.questionToken !== undefined,
      type: member.type,
    });
  }
  return out;
}

function referencedInterface(type: ts.TypeNode): string | undefined {
  if (ts.isTypeReferenceNode(type) && interfaces.has(type.typeName.getText(source)))
    return type.typeName.getText(source);
  return undefined;
}

/** `Partial<Record<PolicyRole, X>>` → X (as a type node), else undefined. */
function roleRecordValue(type: ts.TypeNode): ts.TypeNode | undefined {
  if (!ts.isTypeReferenceNode(type) || type.typeName.getText(source) !== 'Partial')
    return undefined;
  const inner = type.typeArguments?.[0];
  if (!inner || !ts.isTypeReferenceNode(inner) || inner.typeName.getText(source) !== 'Record')
    return undefined;
  const [key, value] = inner.typeArguments ?? [];
  return key?.getText(source) === 'PolicyRole' ? value : undefined;
}

function compare(
  interfaceName: string,
  schemaNode: SchemaNode,
  path: string,
  problems: string[],
): void {
  const schema = deref(schemaNode);
  const schemaProps = (schema['properties'] ?? {}) as Record<string, SchemaNode>;
  const required = new Set((schema['required'] ?? []) as string[]);
  const tsProps = members(interfaceName);
  const schemaKeys = Object.keys(schemaProps).sort();
  const tsKeys = [...tsProps.keys()].sort();
  if (JSON.stringify(schemaKeys) !== JSON.stringify(tsKeys)) {
    problems.push(
      `${path}: schema keys [${schemaKeys.join(', ')}] ≠ ${interfaceName} keys [${tsKeys.join(', ')}]`,
    );
    return;
  }
  for (const [key, { optional, type }] of tsProps) {
    const sub = schemaProps[key] as SchemaNode;
    if (optional === required.has(key))
      problems.push(`${path}.${key}: optional in one, required in the other`);
    const nested = referencedInterface(type);
    if (nested) compare(nested, sub, `${path}.${key}`, problems);
    if (ts.isArrayTypeNode(type)) {
      const element = referencedInterface(type.elementType);
      if (element)
        compare(element, deref(sub)['items'] as SchemaNode, `${path}.${key}[]`, problems);
    }
    const value = roleRecordValue(type);
    if (value) {
      const byRole = deref(sub);
      const roleKeys = Object.keys((byRole['properties'] ?? {}) as object).sort();
      if (JSON.stringify(roleKeys) !== JSON.stringify([...POLICY_ROLES].sort())) {
        problems.push(
          `${path}.${key}: schema keys [${roleKeys.join(', ')}] are not the policy roles`,
        );
      }
      const valueInterface = referencedInterface(value);
      if (valueInterface) {
        for (const role of POLICY_ROLES) {
          compare(
            valueInterface,
            (byRole['properties'] as Record<string, SchemaNode>)[role] as SchemaNode,
            `${path}.${key}.${role}`,
            problems,
          );
        }
      }
    }
  }
}

/** Every object schema reachable from the root, with its path. */
function objectSchemas(node: SchemaNode, path: string, out: Array<[string, SchemaNode]>): void {
  const schema = deref(node);
  if (schema['type'] === 'object') out.push([path, schema]);
  for (const [key, sub] of Object.entries(
    (schema['properties'] ?? {}) as Record<string, SchemaNode>,
  )) {
    objectSchemas(sub, `${path}.${key}`, out);
  }
  if (schema['items']) objectSchemas(schema['items'] as SchemaNode, `${path}[]`, out);
}

describe('schemas/policy.schema.json', () => {
  it('agrees with the RawPolicy TypeScript types, key by key and in optionality', () => {
    const problems: string[] = [];
    compare('RawPolicy', root, 'policy', problems);
    expect(problems).toEqual([]);
  });

  it('the comparison itself catches a difference', () => {
    const problems: string[] = [];
    compare(
      'RawMember',
      { type: 'object', properties: { email: {}, role: {} }, required: ['email'] },
      'm',
      problems,
    );
    expect(problems[0]).toContain('schema keys [email, role] ≠ RawMember keys');
  });

  it('closes every object (unknown keys are errors) and describes every property', () => {
    const objects: Array<[string, SchemaNode]> = [];
    objectSchemas(root, 'policy', objects);
    expect(objects.length).toBeGreaterThan(10);
    for (const [path, schema] of objects) {
      expect(schema['additionalProperties'], path).toBe(false);
      for (const [key, sub] of Object.entries(schema['properties'] as Record<string, SchemaNode>)) {
        expect(
          typeof sub['description'] === 'string' || typeof deref(sub)['description'] === 'string',
          `${path}.${key}`,
        ).toBe(true);
      }
    }
  });

  it('names the roles and guards the code knows', () => {
    const defs = root['$defs'] as Record<string, SchemaNode>;
    expect(defs['role']?.['enum']).toEqual([...POLICY_ROLES]);
    expect(defs['role']?.['enum']).not.toContain('owner');
    expect(
      deref(
        (defs['override']?.['properties'] as Record<string, SchemaNode>)['guard'] as SchemaNode,
      )['enum'],
    ).toEqual([...GUARD_NAMES]);
  });

  it('compiles, has an $id, and the example policy points editors at it', () => {
    expect(() => schemaValidator('policy')).not.toThrow();
    expect(root['$id']).toMatch(/^https:\/\/.+policy\.schema\.json$/);
    const example = fileURLToPath(new URL('../../../policies/acme-books.yaml', import.meta.url));
    const firstLine = readFileSync(example, 'utf8').split('\n', 1)[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(.+)$/.exec(firstLine);
    expect(match).not.toBeNull();
    expect(existsSync(resolve(dirname(example), match?.[1] ?? ''))).toBe(true);
  });
});
