// The busy flag and the error of a form's one action (a dialog's submit button).
import { useCallback, useState } from "react";

export function useAction(): {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  run: (step: () => Promise<void>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (step: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
