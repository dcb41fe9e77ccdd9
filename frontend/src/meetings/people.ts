// Names of the people of a meeting's agency (the directory), for lists and pickers.
import { useEffect, useState } from "react";
import { docs, type Person } from "../documents/api";

export interface People {
  list: Person[];
  /** A person's full name: from the directory, else as the meeting lists them (a guest of
   * another agency); "#id" only for someone neither knows. */
  name: (userId: number | null | undefined) => string;
  /** Full name and title ("Nguyễn Văn A, Chủ tịch UBND tỉnh"). */
  label: (userId: number | null | undefined) => string;
}

/** Someone the meeting itself names (its participants carry their name and title). */
export interface Known {
  user_id: number;
  full_name: string;
  title: string;
}

export function usePeople(agencyId: number | null | undefined, known: Known[] = []): People {
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
  const find = (userId: number) => {
    const p = list.find((x) => x.id === userId);
    if (p) return { full_name: p.full_name, title: p.title };
    return known.find((x) => x.user_id === userId && x.full_name);
  };
  return {
    list,
    name: (userId) => (userId == null ? "—" : (find(userId)?.full_name ?? `#${userId}`)),
    label: (userId) => {
      if (userId == null) return "—";
      const p = find(userId);
      return p ? (p.title ? `${p.full_name}, ${p.title}` : p.full_name) : `#${userId}`;
    },
  };
}
