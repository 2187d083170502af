import { Type, type Static } from 'typebox';
import { needsOf, runList } from '../run-list.ts';
import { definePolicy, docBeside, PolicyConfigError, type Exchange, type Phase, type PolicyInstance, type Step } from '../sdk.ts';
import { condition, type Compiled } from '../values.ts';

const Nested = Type.Array(
  Type.Object(
    {
      type: Type.String({ minLength: 1, maxLength: 100, description: 'Policy type' }),
      config: Type.Record(Type.String(), Type.Unknown(), { description: "Configuration, validated against the type's schema" }),
    },
    { additionalProperties: false },
  ),
  { maxItems: 50, description: 'Policies run, in order, when the branch is taken' },
);

const schema = Type.Object(
  {
    when: Type.Array(
      Type.Object(
        {
          condition: Type.String({ minLength: 1, maxLength: 4096, description: 'CEL condition; the first true one is taken' }),
          policies: Nested,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20, description: 'Branches, tried in order' },
    ),
    otherwise: Type.Optional(Nested),
  },
  { additionalProperties: false },
);

interface Branch {
  test: Compiled<boolean> | null;
  policies: PolicyInstance[];
}

/** Azure choose/when/otherwise; Kong and Apiman have no equivalent (a plugin per condition). */
export const choose = definePolicy<Static<typeof schema>>({
  name: 'choose',
  summary: 'Runs the policies of the first branch whose condition is true, or of `otherwise`.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response', 'error'],
  schema,
  compile(config, env) {
    const compile = env.compile;
    if (compile === undefined) throw new PolicyConfigError('', 'nested policies cannot be compiled here');
    const nested = (list: Static<typeof Nested>, at: string) => list.map((p, i) => compile(p.type, p.config, `${at}/${i}`));
    const branches: Branch[] = config.when.map((w, i) => ({ test: condition(w.condition, `/when/${i}/condition`), policies: nested(w.policies, `/when/${i}/policies`) }));
    branches.push({ test: null, policies: nested(config.otherwise ?? [], '/otherwise') });
    const all = branches.flatMap((b) => b.policies);
    const tests = branches.flatMap((b) => (b.test === null ? [] : [b.test]));
    const pick = (x: Exchange): PolicyInstance[] => {
      for (const b of branches) if (b.test === null || b.test(x)) return b.policies;
      return [];
    };
    const phase = (name: Phase) => (all.some((p) => p[name] !== undefined) ? (x: Exchange): Step => runList(pick(x), name, x) : undefined);
    const request = phase('request');
    const response = phase('response');
    const error = phase('error');
    return {
      needs: needsOf(all, { requestBody: tests.some((t) => t.requestBody), responseBody: tests.some((t) => t.responseBody) }),
      ...(request ? { request } : {}),
      ...(response ? { response } : {}),
      ...(error ? { error } : {}),
    };
  },
});
