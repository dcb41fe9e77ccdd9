// The annotations of one page drawn over it (SVG, in the page's CSS pixels) and the input of
// new ones with a finger, a stylus or a mouse: ink strokes, highlight boxes, text notes.
// Positions are fractions of the page as shown (its PDF page space, scaled to 0..1), so every
// tablet draws them at its own size and zoom. A second finger turns the gesture into a pinch
// (the reader zooms): the stroke the first finger began is dropped.
import { type PointerEvent, useRef, useState } from "react";
import type { AnnotationBody, AnnotationKind, HighlightBody, InkBody, NoteBody, Point } from "../../meetings/api";
import { useMeetT } from "../../meetings/i18n";
import type { Shown } from "../../meetings/useAnnotations";

export type Tool = "view" | AnnotationKind;


const INK_WIDTH = 0.004; // of the page width: about 2.4 pt on A4
const MAX_POINTS = 5000;

const round = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 10000) / 10000;

export function AnnotationLayer({
  width,
  height,
  page,
  items,
  tool,
  color,
  selected,
  onSelect,
  onCreate,
  onNoteAt,
}: {
  width: number;
  height: number;
  /** The page (from 1) under the layer. */
  page: number;
  items: Shown[];
  tool: Tool;
  color: string;
  selected: string | null;
  onSelect: (key: string | null) => void;
  onCreate: (kind: AnnotationKind, body: AnnotationBody) => void;
  onNoteAt: (at: Point) => void;
}) {
  const t = useMeetT();
  const ref = useRef<SVGSVGElement>(null);
  const [stroke, setStroke] = useState<Point[] | null>(null);
  const [box, setBox] = useState<{ a: Point; b: Point } | null>(null);
  const finger = useRef<number | null>(null);

  const at = (e: { clientX: number; clientY: number }): Point => {
    const r = ref.current!.getBoundingClientRect();
    return { x: round((e.clientX - r.left) / r.width), y: round((e.clientY - r.top) / r.height) };
  };
  const down = (e: PointerEvent<SVGSVGElement>) => {
    if (tool === "view") return;
    e.preventDefault();
    if (finger.current !== null) {
      // Two fingers: a pinch, not a stroke.
      finger.current = null;
      setStroke(null);
      setBox(null);
      return;
    }
    finger.current = e.pointerId;
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = at(e);
    if (tool === "ink") setStroke([p]);
    else if (tool === "highlight") setBox({ a: p, b: p });
    else onNoteAt(p);
  };
  const move = (e: PointerEvent<SVGSVGElement>) => {
    if (e.pointerId !== finger.current) return;
    if (stroke) {
      const events = e.nativeEvent.getCoalescedEvents?.() ?? [e.nativeEvent];
      const added = (events.length ? events : [e.nativeEvent]).map(at);
      setStroke((s) => (s && s.length < MAX_POINTS ? [...s, ...added].slice(0, MAX_POINTS) : s));
    } else if (box) setBox({ ...box, b: at(e) });
  };
  const up = (e: PointerEvent<SVGSVGElement>) => {
    if (e.pointerId !== finger.current) return;
    finger.current = null;
    if (stroke && stroke.length >= 2) {
      const body: InkBody = { points: stroke, color, width: INK_WIDTH };
      onCreate("ink", body);
    }
    if (box && Math.abs(box.a.x - box.b.x) > 0.005 && Math.abs(box.a.y - box.b.y) > 0.003) {
      const body: HighlightBody = {
        rects: [[Math.min(box.a.x, box.b.x), Math.min(box.a.y, box.b.y), Math.max(box.a.x, box.b.x), Math.max(box.a.y, box.b.y)]],
        color,
      };
      onCreate("highlight", body);
    }
    setStroke(null);
    setBox(null);
  };

  return (
    <svg
      ref={ref}
      className={`annotation-layer tool-${tool}`}
      data-testid="annotation-layer"
      data-page={page}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={up}
      role="img"
      aria-label={t("annotationLayer")}
    >
      {items.map((a) => (
        <g
          key={a.key}
          data-testid="annotation"
          data-kind={a.kind}
          data-client-id={a.client_id}
          data-pending={a.pending ? "true" : "false"}
          data-mine={a.mine ? "true" : "false"}
          className={`annotation${a.pending ? " pending" : ""}${selected === a.key ? " selected" : ""}`}
          onPointerDown={(e) => {
            if (tool !== "view") return;
            e.stopPropagation();
            onSelect(selected === a.key ? null : a.key);
          }}
        >
          <title>
            {a.author}
            {a.pending ? ` — ${t("unsynced")}` : ""}
            {a.kind === "note" ? `: ${(a.body as NoteBody).text}` : ""}
          </title>
          <Shape kind={a.kind} body={a.body} width={width} height={height} />
        </g>
      ))}
      {stroke && <Shape kind="ink" body={{ points: stroke, color, width: INK_WIDTH }} width={width} height={height} />}
      {box && (
        <Shape
          kind="highlight"
          body={{ rects: [[box.a.x, box.a.y, box.b.x, box.b.y]], color }}
          width={width}
          height={height}
        />
      )}
    </svg>
  );
}

function Shape({ kind, body, width, height }: { kind: AnnotationKind; body: AnnotationBody; width: number; height: number }) {
  if (kind === "ink") {
    const ink = body as InkBody;
    const points = ink.points.map((p) => `${(p.x * width).toFixed(1)},${(p.y * height).toFixed(1)}`).join(" ");
    return <polyline points={points} fill="none" stroke={ink.color} strokeWidth={Math.max(1, ink.width * width)} strokeLinecap="round" strokeLinejoin="round" />;
  }
  if (kind === "highlight") {
    const hl = body as HighlightBody;
    return (
      <>
        {hl.rects.map(([x1, y1, x2, y2], i) => (
          <rect
            key={i}
            x={Math.min(x1, x2) * width}
            y={Math.min(y1, y2) * height}
            width={Math.abs(x2 - x1) * width}
            height={Math.abs(y2 - y1) * height}
            fill={hl.color}
            className="highlight-box"
          />
        ))}
      </>
    );
  }
  const note = body as NoteBody;
  const x = note.at.x * width;
  const y = note.at.y * height;
  const line = note.text.split("\n")[0].slice(0, 40);
  return (
    <>
      <rect x={x} y={y} width={18} height={18} rx={3} fill={note.color} />
      <text x={x + 24} y={y + 14} className="note-text" fill={note.color}>
        {line}
        {note.text.length > line.length ? "…" : ""}
      </text>
    </>
  );
}
