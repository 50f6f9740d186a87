import { readFileSync } from 'node:fs';
import { defaultDashboard, type Dashboard as GrafanaDashboard } from '@grafana/schema';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildDashboard, SCHEMA_VERSION } from './dashboard.js';
import { ARTIFACT_PATHS } from './generate.js';
import type { Dashboard } from './types.js';

/**
 * A schema type as JSON spells it: a string enum as its values (`'palette-classic'`, not
 * `FieldColorModeId.PaletteClassic`), arrays read-only. No value the schema rejects becomes allowed.
 */
type Json<S> = S extends string
  ? `${S}`
  : S extends readonly (infer E)[]
    ? readonly Json<E>[]
    : S extends object
      ? { readonly [K in keyof S]: Json<S[K]> }
      : S;

/** The members of the union `S` that declare every field of `T`; all of its object types when none does. */
type Declaring<T, S> = [
  S extends unknown ? (Exclude<keyof T, keyof S> extends never ? S : never) : never,
] extends [infer D]
  ? [D] extends [never]
    ? NonNullable<S>
    : D
  : never;

/**
 * `T` with each field, at any depth, that the schema type `S` does not declare turned into a message, so a
 * `T` with such a field is not assignable to it. (Assigning a typed value, unlike an object literal, has
 * no excess-property check.) Where `S` is `unknown` (a record's values), anything is declared.
 */
type Declared<T, S> = unknown extends S
  ? T
  : T extends readonly (infer E)[]
    ? readonly Declared<E, S extends readonly (infer F)[] ? F : never>[]
    : T extends object
      ? {
          readonly [K in keyof T]: K extends keyof Declaring<T, S>
            ? Declared<T[K], Declaring<T, S>[K]>
            : `${K & string} is not a field of @grafana/schema's type`;
        }
      : T;

/** Whether `T` is a dashboard the schema accepts: values it allows, in fields it declares. */
type Conforms<T> = [T] extends [Json<GrafanaDashboard>]
  ? [T] extends [Declared<T, GrafanaDashboard>]
    ? true
    : false
  : false;

const packageRoot = new URL('..', import.meta.url);

describe("the dashboard against @grafana/schema's Dashboard", () => {
  it('type-checks: every field is one the schema declares, with a value it allows', () => {
    // The compile-time check (`tsc`, the package's typecheck script): these lines fail to compile when
    // buildDashboard()'s type has a value the schema rejects, or a field it lacks.
    const dashboard = buildDashboard();
    const allowed: Json<GrafanaDashboard> = dashboard;
    const declared: Declared<Dashboard, GrafanaDashboard> = dashboard;
    expect(allowed).toBe(declared);
  });

  it('would not type-check with a field the schema lacks or a value it rejects', () => {
    type Variable = { readonly name: string; readonly type: 'query' };
    type WithVariable<V> = { readonly schemaVersion: number; readonly templating: { readonly list: [V] } };
    expectTypeOf<Conforms<WithVariable<Variable>>>().toEqualTypeOf<true>();
    // `definition`, which Grafana's own exports carry, is not in the schema's VariableModel.
    expectTypeOf<Conforms<WithVariable<Variable & { readonly definition: string }>>>().toEqualTypeOf<false>();
    // `current` is a VariableOption: `text` and `value` are required.
    type Current<C> = WithVariable<Variable & { readonly current: C }>;
    expectTypeOf<Conforms<Current<Record<never, never>>>>().toEqualTypeOf<false>();
    expectTypeOf<
      Conforms<Current<{ readonly text: 'All'; readonly value: '$__all' }>>
    >().toEqualTypeOf<true>();
    // A string enum of the schema as its JSON values: a color mode the schema has, and one it has not.
    type Colored<M> = {
      readonly schemaVersion: number;
      readonly panels: [
        {
          readonly type: 'stat';
          readonly fieldConfig: {
            readonly defaults: { readonly color: { readonly mode: M } };
            readonly overrides: [];
          };
        },
      ];
    };
    expectTypeOf<Conforms<Colored<'thresholds'>>>().toEqualTypeOf<true>();
    expectTypeOf<Conforms<Colored<'rainbow'>>>().toEqualTypeOf<false>();
    // A panel link is a DashboardLink: its required fields must all be there, and no others.
    type Linked<L> = {
      readonly schemaVersion: number;
      readonly panels: [{ readonly type: 'timeseries'; readonly links: [L] }];
    };
    type Link = {
      readonly title: 'Traces';
      readonly type: 'link';
      readonly url: string;
      readonly tooltip: string;
      readonly icon: string;
      readonly targetBlank: true;
      readonly asDropdown: false;
      readonly includeVars: false;
      readonly keepTime: false;
      readonly tags: [];
    };
    expectTypeOf<Conforms<Linked<Link>>>().toEqualTypeOf<true>();
    expectTypeOf<Conforms<Linked<Pick<Link, 'title' | 'url'>>>>().toEqualTypeOf<false>();
    expectTypeOf<Conforms<Linked<Link & { readonly newTab: true }>>>().toEqualTypeOf<false>();
    // The generated dashboard's own type, as the assignments above check it.
    expectTypeOf<Conforms<Dashboard>>().toEqualTypeOf<true>();
  });

  it('is at the schema version @grafana/schema declares', () => {
    expect(defaultDashboard.schemaVersion).toBeTypeOf('number');
    expect(SCHEMA_VERSION).toBe(defaultDashboard.schemaVersion);
    expect(buildDashboard().schemaVersion).toBe(defaultDashboard.schemaVersion);
  });

  it('is what the committed dashboards/sightglass.json holds', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL(ARTIFACT_PATHS.dashboard, packageRoot), 'utf8'),
    );
    expect(committed).toEqual(buildDashboard());
  });
});
