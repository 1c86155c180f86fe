// Forms: labelled fields bound to a page's state, a form whose submit runs an action (its button
// disabled while it runs), the action's error, and a delete button that can ask first.
import type { ComponentChildren, TextareaHTMLAttributes } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBox, Field, Form, type useAction } from './ui.js';

type Action = ReturnType<typeof useAction>;

/** The value of the input, select or textarea an event came from. */
export const valueOf = (e: Event) => (e.target as HTMLInputElement).value;

/** A form's values in one state: `bind('name')` gives a field its value and setter. */
export function useFields<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState(initial);
  const set = (k: keyof V, v: string) => setValues((s) => ({ ...s, [k]: v }));
  return { values, set, bind: (k: keyof V) => ({ value: values[k], onValue: (v: string) => set(k, v) }) };
}

interface Bound {
  /** the visible label */
  label: string;
  /** the accessible name (the label when omitted) */
  aria?: string;
  value: string;
  onValue: (v: string) => void;
}

/** What a text field may set besides its value. */
interface InputProps {
  required?: boolean;
  size?: number;
  placeholder?: string;
  type?: 'text' | 'number' | 'password' | 'datetime-local';
  inputMode?: 'numeric' | 'text';
  min?: number;
  max?: number;
  step?: string;
  disabled?: boolean;
}

export function TextField({ label, aria, value, onValue, ...rest }: Bound & InputProps) {
  return (
    <Field label={label}>
      {/* preact types an input's attributes per `type`; these few are valid for every text-like type */}
      <input {...(rest as object)} value={value} onInput={(e) => onValue(valueOf(e))} aria-label={aria ?? label} />
    </Field>
  );
}

export function TextArea({ label, aria, value, onValue, ...rest }: Bound & Omit<TextareaHTMLAttributes, 'value' | 'label'>) {
  return (
    <Field label={label}>
      <textarea {...rest} value={value} onInput={(e) => onValue(valueOf(e))} aria-label={aria ?? label} spellcheck={false} />
    </Field>
  );
}

/** A select; its options are the children. */
export function SelectField({
  label,
  aria,
  value,
  onValue,
  disabled,
  children,
}: Bound & { disabled?: boolean; children: ComponentChildren }) {
  return (
    <Field label={label}>
      {/* no value yet: the browser shows the first option, the one a form falls back to */}
      <select value={value || undefined} onChange={(e) => onValue(valueOf(e))} aria-label={aria ?? label} disabled={disabled}>
        {children}
      </select>
    </Field>
  );
}

/** A select of time windows (hours before the virtual now), labelled `Window`. */
export function WindowField({ hours, value, onValue }: { hours: number[]; value: number; onValue: (h: number) => void }) {
  const name = (h: number) => {
    const [n, unit] = h % 168 === 0 ? [h / 168, 'week'] : h % 24 === 0 ? [h / 24, 'day'] : [h, 'hour'];
    return `${n} ${unit}${n === 1 ? '' : 's'}`;
  };
  return (
    <SelectField label="Window" value={String(value)} onValue={(v) => onValue(Number(v))}>
      {hours.map((h) => (
        <option key={h} value={String(h)}>
          {name(h)}
        </option>
      ))}
    </SelectField>
  );
}

/**
 * A form whose submit runs `run` as the action `act`; `submit` is its button's text (`busyText`
 * while it runs); `extra` (a Cancel, a Remove) follows the submit button.
 */
export function ActionForm({
  label,
  submit,
  busyText,
  act,
  run,
  primary,
  disabled,
  extra,
  children,
}: {
  label: string;
  submit: string;
  busyText?: string;
  act: Action;
  run: () => Promise<unknown>;
  primary?: boolean;
  disabled?: boolean;
  extra?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <Form label={label} onSubmit={() => act.run(run).then(() => undefined)}>
      {children}
      <button class={primary ? 'primary' : undefined} type="submit" disabled={act.busy || disabled}>
        {act.busy && busyText ? busyText : submit}
      </button>
      {extra}
    </Form>
  );
}

/**
 * A form that creates a resource by name: an `ActionForm` with its own name field (labelled `field`,
 * accessible name `aria`), cleared once `run(name)` succeeds; `children` are more fields after it.
 */
export function NameForm({
  field,
  aria,
  placeholder,
  required = true,
  run,
  children,
  ...form
}: {
  label: string;
  submit: string;
  act: Action;
  primary?: boolean;
  field: string;
  aria?: string;
  placeholder?: string;
  required?: boolean;
  run: (name: string) => Promise<unknown>;
  children?: ComponentChildren;
}) {
  const [name, setName] = useState('');
  return (
    <ActionForm {...form} run={async () => (await run(name), setName(''))}>
      <TextField label={field} aria={aria} value={name} onValue={setName} required={required} placeholder={placeholder} />
      {children}
    </ActionForm>
  );
}

/** `text` parsed as JSON, or an error named MalformedJSON (`<what> is not valid JSON: …`) before anything is sent. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw malformed(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export const malformed = (message: string) => Object.assign(new Error(message), { name: 'MalformedJSON' });

/** The action's error (dismissable), else the first of `also` (a load's error). */
export function ActionError({ act, also = [] }: { act: Action; also?: unknown[] }) {
  if (act.error) return <ErrorBox error={act.error} onDismiss={act.clear} />;
  return <ErrorBox error={also.find((e) => e)} />;
}

/** A delete button; with `confirm`, it asks that question first. */
export function DeleteButton({
  act,
  run,
  label,
  confirm: question,
  text = 'Delete',
  link,
}: {
  act: Action;
  run: () => Promise<unknown>;
  /** the accessible name (`Delete key k1`) */
  label?: string;
  confirm?: string;
  text?: string;
  /** drawn as a link rather than a red button */
  link?: boolean;
}) {
  return (
    <button
      class={link ? 'link' : 'danger'}
      aria-label={label}
      onClick={() => {
        if (question && !confirm(question)) return;
        void act.run(run);
      }}
    >
      {text}
    </button>
  );
}
