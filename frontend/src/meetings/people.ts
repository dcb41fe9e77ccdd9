// Names of the people of a meeting's agency (the directory), for lists and pickers.
import { useEffect, useState } from "react";
import { docs, type Person } from "../documents/api";

export interface People {
  list: Person[];
  /** A person's name, or "#id" for someone outside the directory (a guest of another agency). */
  name: (userId: number | null | undefined) => string;
}

export function usePeople(agencyId: number | null | undefined): People {
  const [list, setList] = useState<Person[]>([]);
  useEffect(() => {
    if (agencyId == null) return;
    let live = true;
    docs.directory(agencyId).then(
      (d) => {
        if (!live) return;
        // One row per person (the directory lists a person once per unit).
        const seen = new Map<number, Person>();
        for (const p of d.people) if (!seen.has(p.id)) seen.set(p.id, p);
        setList([...seen.values()]);
      },
      () => live && setList([]),
    );
    return () => {
      live = false;
    };
  }, [agencyId]);
  return {
    list,
    name: (userId) => (userId == null ? "—" : (list.find((p) => p.id === userId)?.full_name ?? `#${userId}`)),
  };
}
