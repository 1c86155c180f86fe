// Listener and rule actions (forward, fixed-response, redirect) and rule conditions: checks and the
// shapes AWS answers with (a forward action carries its ForwardConfig too).
import { ServiceError } from '../../kit.js';
import type { Action, RuleCondition } from '../../generated/elbv2.js';
import { validation } from './store.js';

export function actionTargetGroups(actions: Action[] | undefined): string[] {
  const out: string[] = [];
  for (const a of actions ?? []) {
    if (a.Type !== 'forward') continue;
    if (a.TargetGroupArn) out.push(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? [])
      if (t.TargetGroupArn && !out.includes(t.TargetGroupArn)) out.push(t.TargetGroupArn);
  }
  return out;
}

/** Checks actions and returns them as stored; `tgExists` throws TargetGroupNotFound. */
export function checkActions(actions: Action[] | undefined, tgExists: (arn: string) => void): Action[] {
  if (!actions?.length) throw validation('At least one action must be specified');
  const out: Action[] = [];
  actions.forEach((a, i) => {
    const order = a.Order ?? i + 1;
    switch (a.Type) {
      case 'forward': {
        const groups = a.ForwardConfig?.TargetGroups ?? (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : []);
        if (!groups.length) throw validation('A target group ARN must be specified');
        if (
          a.TargetGroupArn &&
          a.ForwardConfig?.TargetGroups?.length &&
          !a.ForwardConfig.TargetGroups.some((t) => t.TargetGroupArn === a.TargetGroupArn)
        ) {
          throw validation('You cannot specify both a top-level target group ARN and a different target group in a forward config');
        }
        for (const g of groups) tgExists(g.TargetGroupArn!);
        const tgs = groups.map((g) => ({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 }));
        out.push({
          Type: 'forward',
          Order: order,
          ...(tgs.length === 1 ? { TargetGroupArn: tgs[0].TargetGroupArn } : {}),
          ForwardConfig: {
            TargetGroups: tgs,
            TargetGroupStickinessConfig: a.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false },
          },
        });
        break;
      }
      case 'fixed-response': {
        const c = a.FixedResponseConfig;
        if (!c?.StatusCode) throw validation('A fixed response status code must be specified');
        if (!/^[245]\d\d$/.test(c.StatusCode))
          throw validation(`Fixed response status code '${c.StatusCode}' must be a 2XX, 4XX or 5XX code`);
        if (c.MessageBody !== undefined && c.MessageBody.length > 1024)
          throw validation('Fixed response message body cannot be longer than 1024 characters');
        out.push({ Type: 'fixed-response', Order: order, FixedResponseConfig: { ...c, ContentType: c.ContentType } });
        break;
      }
      case 'redirect': {
        const c = a.RedirectConfig;
        if (!c?.StatusCode) throw validation('A redirect status code must be specified');
        if (c.StatusCode !== 'HTTP_301' && c.StatusCode !== 'HTTP_302')
          throw validation(`Redirect status code '${c.StatusCode}' must be 'HTTP_301' or 'HTTP_302'`);
        out.push({
          Type: 'redirect',
          Order: order,
          RedirectConfig: { Protocol: '#{protocol}', Port: '#{port}', Host: '#{host}', Path: '/#{path}', Query: '#{query}', ...c },
        });
        break;
      }
      default:
        throw validation(`Action type '${a.Type}' is not supported by Nimbus (forward, fixed-response and redirect are)`);
    }
  });
  return out;
}

const FIELDS = ['path-pattern', 'host-header', 'http-header', 'query-string', 'http-request-method', 'source-ip'];

/** Checks rule conditions; path-pattern and host-header come back with both Values and their config. */
export function checkConditions(conditions: RuleCondition[] | undefined): RuleCondition[] {
  if (!conditions?.length) throw validation('At least one condition must be specified');
  return conditions.map((c) => {
    if (!c.Field || !FIELDS.includes(c.Field)) throw validation(`Condition field '${c.Field}' is not valid`);
    if (c.Field === 'path-pattern' || c.Field === 'host-header') {
      const values = c.Values ?? (c.Field === 'path-pattern' ? c.PathPatternConfig?.Values : c.HostHeaderConfig?.Values) ?? [];
      if (!values.length) throw validation(`A condition value must be specified for field '${c.Field}'`);
      for (const v of values)
        if (v.length > 128) throw new ServiceError('ValidationError', `Condition value '${v}' cannot be longer than 128 characters`, 400);
      return c.Field === 'path-pattern'
        ? { Field: c.Field, Values: values, PathPatternConfig: { Values: values } }
        : { Field: c.Field, Values: values, HostHeaderConfig: { Values: values } };
    }
    return c;
  });
}
