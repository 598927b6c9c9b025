import { useState } from "react";
import { Button } from "@/components/ui/button";

// clipwise memory panel. Props come from agent/ui.py panel_props; every button sends the
// plain-language request it carries (the same words a chat message would use) as the
// "panel" action. Text is rendered by React, so titles and quotes are never markup.
export default function Memory() {
  const [busy, setBusy] = useState(false);

  const send = async (request) => {
    setBusy(true);
    try {
      await callAction({ name: "panel", payload: { request } });
    } finally {
      setBusy(false);
    }
  };

  const buttons = (list) =>
    (list || []).map((b) => (
      <Button
        key={b.request}
        size="sm"
        variant="outline"
        className="h-6 px-2 text-xs"
        disabled={busy}
        data-request={b.request}
        onClick={() => send(b.request)}
      >
        {b.label}
      </Button>
    ));

  const interest = (i) => (
    <li key={i.status + i.text} className="mb-2" data-interest={i.text} data-status={i.status}>
      <div className="flex flex-wrap items-center gap-1">
        <span className={i.status === "dropped" ? "line-through text-muted-foreground" : "font-medium"}>{i.text}</span>
        {buttons(i.buttons)}
      </div>
      {i.status === "active" ? (
        <div className="flex items-center gap-2 my-0.5" title={`weight ${i.weight}`} data-weight={i.weight}>
          <span className="bg-muted rounded-sm overflow-hidden" style={{ display: "block", width: 128, height: 6 }}>
            <span className="bg-primary" style={{ display: "block", height: 6, width: `${(100 * i.weight) / (props.max_weight || 1)}%` }} />
          </span>
          <span className="text-xs text-muted-foreground tabular-nums">{i.weight.toFixed(2)}</span>
        </div>
      ) : null}
      {(i.sources || []).map((s, n) => (
        <div key={n} className="text-xs text-muted-foreground">
          from {s.source}: “{s.quote}” ({s.when} UTC)
        </div>
      ))}
    </li>
  );

  const section = (title, body, testid) => (
    <section className="mb-4" data-testid={testid}>
      <h3 className="text-sm font-semibold mb-1">{title}</h3>
      {body}
    </section>
  );

  const none = <div className="text-xs text-muted-foreground">none</div>;

  return (
    <div className="flex flex-col text-sm p-1" id="clipwise-memory-panel" data-user={props.user}>
      <div className="text-xs text-muted-foreground mb-3">Memory of {props.user}</div>
      {props.status ? <div className="text-xs text-muted-foreground mb-3" data-testid="panel-status">{props.status}</div> : null}
      {section("Interests", props.active && props.active.length ? <ul>{props.active.map(interest)}</ul> : none, "panel-active")}
      {section("Dropped topics", props.dropped && props.dropped.length ? <ul>{props.dropped.map(interest)}</ul> : none, "panel-dropped")}
      {section(
        "Blocked channels",
        props.blocked && props.blocked.length ? (
          <ul>
            {props.blocked.map((b) => (
              <li key={b.channel} className="flex flex-wrap items-center gap-1 mb-1" data-channel={b.channel}>
                <span>{b.channel}</span>
                {buttons(b.buttons)}
              </li>
            ))}
          </ul>
        ) : none,
        "panel-blocked"
      )}
      {section(
        "Limits",
        <div className="flex flex-wrap items-center gap-1">
          <span>{props.limits && props.limits.length ? props.limits.join("; ") : "none"}</span>
          {buttons(props.limit_buttons)}
        </div>,
        "panel-limits"
      )}
      {props.hidden ? <div className="text-xs text-muted-foreground mb-3">{props.hidden} video(s) marked not interested</div> : null}
      <div>{buttons(props.undo)}</div>
    </div>
  );
}
