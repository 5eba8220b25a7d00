// The layout is the architecture (docs/architecture.md): the domain depends on no edge, the SDK on
// nothing of the server, and no module imports itself back through others.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'generated' ? [] : sourceFiles(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

/** Every relative import of a file (static, re-exports and dynamic), as files under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"](\.[^'"]+)['"]/gm)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
}

const files = sourceFiles(src);
const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => !target.includes(`${path.sep}generated${path.sep}`))]));

/** The part of the code a file belongs to: its folder under src/, or its own name at the top. */
const layerOf = (file: string) => path.relative(src, file).split(path.sep)[0]!.replace(/\.ts$/, '');

/** Which parts each part may import (itself always). */
const allowed: Record<string, string[]> = {
  protocol: [],
  sql: [],
  config: [],
  logger: ['config'],
  coordinator: ['protocol', 'sql', 'config', 'logger'],
  auth: ['protocol', 'sql', 'config', 'logger'],
  db: ['sql', 'config', 'logger'],
  events: ['coordinator', 'db', 'logger'],
  kafka: ['coordinator', 'protocol', 'config', 'logger'],
  dashboard: [],
  schema: ['coordinator', 'auth', 'protocol', 'sql', 'config', 'logger'],
  server: ['coordinator', 'auth', 'db', 'events', 'kafka', 'schema', 'dashboard', 'protocol', 'sql', 'config', 'logger'],
  client: ['protocol'],
  cli: ['client', 'protocol', 'config', 'db', 'serve'],
  serve: ['server', 'config', 'logger'],
  main: ['serve'],
  index: ['client', 'server', 'config', 'logger'],
};

describe('the architecture', () => {
  it('every part imports only the parts below it', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      expect(allowed, `${from} has no rule`).toHaveProperty(from);
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !allowed[from]!.includes(to)) wrong.push(`${path.relative(src, file)} → ${path.relative(src, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no module imports itself back through others (no cycles)', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0;
    const indices = new Map<string, number>();
    const lowlinks = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const connect = (file: string) => {
      indices.set(file, index);
      lowlinks.set(file, index);
      index += 1;
      stack.push(file);
      onStack.add(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (!indices.has(target)) {
          connect(target);
          lowlinks.set(file, Math.min(lowlinks.get(file)!, lowlinks.get(target)!));
        } else if (onStack.has(target)) lowlinks.set(file, Math.min(lowlinks.get(file)!, indices.get(target)!));
      }
      if (lowlinks.get(file) === indices.get(file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(path.relative(src, member));
        } while (member !== file);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!indices.has(file)) connect(file);
    expect(cycles).toEqual([]);
  });

  it('reads the environment only in src/config.ts', () => {
    const readers = files.filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8'))).map((file) => path.relative(src, file));
    expect(readers).toEqual(['config.ts']);
  });
});
