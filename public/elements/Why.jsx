// clipwise "why #N" picture: what decided the rank (one bar per signal, the sum is the score) and
// the video's timeline with the clip and the transcript's sections marked. Props come from
// agent/web/web_views.py why_props.
function fmt(s) {
  s = Math.max(0, Math.round(s || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const two = (x) => String(x).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

export default function Why() {
  const parts = props.parts || [];
  const biggest = Math.max(0.0001, ...parts.map((p) => Math.abs(p.value)));
  const clip = props.clip;
  const sections = props.sections || [];
  const length = props.duration_s || (clip ? clip.end : 0);
  const at = (s) => `${Math.min(100, Math.max(0, (100 * s) / length))}%`;
  return (
    <div className="clipwise-why text-sm w-full" style={{ maxWidth: 512 }} data-item={props.item}>
      <div className="text-xs font-semibold mb-1">What decided its place (#{props.item})</div>
      {parts.length ? (
        <ul className="mb-2" data-testid="why-parts">
          {parts.map((p) => (
            <li key={p.name} className="flex items-center gap-2 text-xs mb-1" data-part={p.name}>
              <span className="shrink-0 truncate" style={{ width: 176 }} title={p.name}>{p.name}</span>
              <span className="flex-1 h-3 bg-muted rounded-sm overflow-hidden">
                <span
                  className={`block h-3 ${p.value < 0 ? "bg-destructive" : "bg-primary"}`}
                  style={{ width: `${(100 * Math.abs(p.value)) / biggest}%` }}
                />
              </span>
              <span className="text-right tabular-nums" style={{ width: 48 }}>{p.value.toFixed(2)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <div className="text-xs text-muted-foreground mb-2">No score parts were kept for this item.</div>
      )}
      {props.rules && props.rules.length ? (
        <div className="text-xs text-muted-foreground mb-2" data-testid="why-rules">
          Rules that shaped the list: {props.rules.join("; ")}
        </div>
      ) : null}
      {length ? (
        <div data-testid="why-timeline">
          <div className="text-xs font-semibold mb-1">
            {clip ? `Where the clip is (${clip.span})${sections.length ? ` among the talk's ${sections.length + 1} parts` : ""}` : `No clip: ${props.has_transcript ? "no part matched well enough" : "no transcript"}`}
          </div>
          <div className="relative h-4 w-full bg-muted rounded-sm">
            {clip ? (
              <div
                className="absolute top-0 h-4 bg-primary rounded-sm"
                style={{ left: at(clip.start), width: `calc(${at(clip.end)} - ${at(clip.start)})`, minWidth: "3px" }}
                data-clip-mark
              />
            ) : null}
            {sections.map((start) => (
              <div
                key={start}
                className="absolute top-0 h-4"
                style={{ left: at(start), width: "2px", background: "hsl(var(--background))", zIndex: 1 }}
                title={`a new section of the talk starts at ${fmt(start)}`}
                data-section-start={start}
              />
            ))}
            {props.quote_at != null ? (
              <div
                className="absolute -top-1 h-6"
                style={{ left: at(props.quote_at), width: "2px", background: "hsl(var(--foreground))", zIndex: 2 }}
                title="the quote"
              />
            ) : null}
          </div>
          <div className="flex justify-between text-xs text-muted-foreground">
            <span>0:00</span>
            <span>{fmt(length)}</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}
