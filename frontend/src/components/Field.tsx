import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from 'react';

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: ReactNode;
  /** The id of the error message about this field, when there is one: the field is marked invalid and tied to it. */
  errorId?: string;
};

/** A labelled input; the hint and the error about it are tied to it with aria-describedby. */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field({ label, hint, id, errorId, ...input }, ref) {
  const autoId = useId();
  const inputId = id ?? autoId;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input ref={ref} id={inputId} aria-describedby={describedBy} aria-invalid={errorId ? true : undefined} {...input} />
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
});
