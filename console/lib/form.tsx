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
  type?: 'text' | 'number' | 'password';
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
export function SelectField({ label, aria, value, onValue, children }: Bound & { children: ComponentChildren }) {
  return (
    <Field label={label}>
      {/* no value yet: the browser shows the first option, the one a form falls back to */}
      <select value={value || undefined} onChange={(e) => onValue(valueOf(e))} aria-label={aria ?? label}>
        {children}
      </select>
    </Field>
  );
}

/** A form whose submit runs `run` as the action `act`; `submit` is its button's text. */
export function ActionForm({
  label,
  submit,
  act,
  run,
  primary,
  disabled,
  children,
}: {
  label: string;
  submit: string;
  act: Action;
  run: () => Promise<unknown>;
  primary?: boolean;
  disabled?: boolean;
  children?: ComponentChildren;
}) {
  return (
    <Form label={label} onSubmit={() => act.run(run).then(() => undefined)}>
      {children}
      <button class={primary ? 'primary' : undefined} type="submit" disabled={act.busy || disabled}>
        {submit}
      </button>
    </Form>
  );
}

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
