// The AlarmRule of a composite alarm: ALARM(x), OK(x), INSUFFICIENT_DATA(x) (x an alarm name or ARN,
// quoted or not), TRUE, FALSE, AND, OR, NOT and parentheses. Pure: parsed once, evaluated against
// the alarms' states.

export type Rule =
  | { t: 'state'; state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'; alarm: string }
  | { t: 'const'; v: boolean }
  | { t: 'not'; e: Rule }
  | { t: 'and' | 'or'; l: Rule; r: Rule };

export class RuleError extends Error {}

function tokens(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([()])|([^\s()"']+))/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < src.length && (m = re.exec(src))) {
    if (m[1] !== undefined || m[2] !== undefined) out.push('"' + (m[1] ?? m[2]));
    else out.push(m[3] ?? m[4]);
    if (/^\s*$/.test(src.slice(re.lastIndex))) break;
  }
  if (re.lastIndex < src.length && !/^\s*$/.test(src.slice(re.lastIndex)))
    throw new RuleError(`Unexpected character at position ${re.lastIndex + 1}`);
  return out;
}

export function parseRule(src: string): Rule {
  const toks = tokens(src);
  let p = 0;
  const or = (): Rule => {
    let l = and();
    while (toks[p] === 'OR') {
      p++;
      l = { t: 'or', l, r: and() };
    }
    return l;
  };
  const and = (): Rule => {
    let l = not();
    while (toks[p] === 'AND') {
      p++;
      l = { t: 'and', l, r: not() };
    }
    return l;
  };
  const not = (): Rule => {
    if (toks[p] === 'NOT') {
      p++;
      return { t: 'not', e: not() };
    }
    return atom();
  };
  const atom = (): Rule => {
    const t = toks[p++];
    if (t === undefined) throw new RuleError('Unexpected end of the alarm rule');
    if (t === '(') {
      const e = or();
      if (toks[p++] !== ')') throw new RuleError('Missing closing parenthesis in the alarm rule');
      return e;
    }
    if (t === 'TRUE' || t === 'FALSE') return { t: 'const', v: t === 'TRUE' };
    if (t === 'ALARM' || t === 'OK' || t === 'INSUFFICIENT_DATA') {
      if (toks[p++] !== '(') throw new RuleError(`Expected '(' after ${t}`);
      const arg = toks[p++];
      if (arg === undefined || arg === ')' || arg === '(') throw new RuleError(`${t}() needs an alarm name or ARN`);
      if (toks[p++] !== ')') throw new RuleError(`Expected ')' after the alarm of ${t}`);
      return { t: 'state', state: t, alarm: arg.startsWith('"') ? arg.slice(1) : arg };
    }
    throw new RuleError(`Unexpected token ${t.startsWith('"') ? t.slice(1) : t} in the alarm rule`);
  };
  const rule = or();
  if (p < toks.length) throw new RuleError(`Unexpected token ${toks[p]} in the alarm rule`);
  return rule;
}

/** Alarm names (or ARNs) a rule refers to. */
export function ruleAlarms(r: Rule, out = new Set<string>()): Set<string> {
  if (r.t === 'state') out.add(r.alarm);
  else if (r.t === 'not') ruleAlarms(r.e, out);
  else if (r.t === 'and' || r.t === 'or') {
    ruleAlarms(r.l, out);
    ruleAlarms(r.r, out);
  }
  return out;
}

export function evalRule(r: Rule, stateOf: (alarm: string) => string | undefined): boolean {
  switch (r.t) {
    case 'const':
      return r.v;
    case 'state':
      return stateOf(r.alarm) === r.state;
    case 'not':
      return !evalRule(r.e, stateOf);
    case 'and':
      return evalRule(r.l, stateOf) && evalRule(r.r, stateOf);
    case 'or':
      return evalRule(r.l, stateOf) || evalRule(r.r, stateOf);
  }
}

/** An alarm ARN's name (`arn:aws:cloudwatch:region:account:alarm:name`), or the name as given. */
export const alarmNameOf = (ref: string) => (ref.startsWith('arn:') ? ref.split(':').slice(6).join(':') : ref);
