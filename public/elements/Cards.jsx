import { useState } from "react";
import { Button } from "@/components/ui/button";

// clipwise list of recommendations: one compact row per video. Props come from
// agent/web/web_views.py cards_props. Every button sends the plain-language request it carries
// ("why #3", "more like #3", ...) through the action of its name, exactly as typing it would.
// Text is rendered by React, so titles, channels and reasons are never markup.
function Card({ card, stale, busy, send }) {
  const [playing, setPlaying] = useState(false);
  const [thumb, setThumb] = useState(card.thumb);
  return (
    <li className="flex gap-3 py-2 border-b border-border last:border-b-0" data-card={card.n} data-video-id={card.video_id}>
      <img
        src={thumb}
        alt=""
        loading="lazy"
        onError={() => setThumb(card.placeholder)}
        className="shrink-0 rounded-md bg-muted"
        style={{ width: 128, height: 72, objectFit: "cover" }}
        data-thumb
      />
      <div className="min-w-0 flex-1">
        <div className="font-semibold leading-snug line-clamp-2" data-title>
          {card.n}. {card.title}
        </div>
        <div className="text-xs text-muted-foreground truncate" data-meta>{card.meta}</div>
        <div className="text-xs mt-0.5 truncate" title={card.clip ? card.clip.quote : undefined} data-clip>
          {card.clip ? (
            card.url ? (
              <a href={card.url} target="_blank" rel="noopener noreferrer" className="text-primary hover:underline">
                ▶ clip {card.clip.span}
              </a>
            ) : (
              <span>clip {card.clip.span} (demo item: no link)</span>
            )
          ) : card.url ? (
            <a href={card.url} target="_blank" rel="noopener noreferrer" className="text-primary hover:underline">
              ▶ watch
            </a>
          ) : null}
          {card.clip && card.clip.quote ? <span className="text-muted-foreground"> — “{card.clip.quote}”</span> : null}
        </div>
        <div className="text-xs text-muted-foreground truncate" title={card.reason} data-reason>
          Why: {card.reason}
        </div>
        <div className="flex flex-wrap gap-1 mt-1">
          {card.buttons.map((b) => (
            <Button
              key={b.name}
              size="sm"
              variant="outline"
              className="h-6 px-2 text-xs"
              disabled={busy || stale}
              onClick={() => send(b)}
            >
              {b.label}
            </Button>
          ))}
          {card.embed ? (
            <Button size="sm" variant="ghost" className="h-6 px-2 text-xs" onClick={() => setPlaying(!playing)}>
              {playing ? "Close player" : "Play here"}
            </Button>
          ) : null}
        </div>
        {playing ? (
          <iframe
            className="mt-2 rounded-md"
            style={{ width: "100%", maxWidth: 448, aspectRatio: "16 / 9", border: 0 }}
            src={card.embed}
            title={card.title}
            allow="autoplay; encrypted-media; picture-in-picture"
            allowFullScreen
            referrerPolicy="strict-origin-when-cross-origin"
            data-player
          />
        ) : null}
      </div>
    </li>
  );
}

export default function Cards() {
  const [busy, setBusy] = useState(false);
  const send = async (b) => {
    setBusy(true);
    try {
      await callAction({ name: b.name, payload: b.payload });
    } finally {
      setBusy(false);
    }
  };
  const cards = props.cards || [];
  return (
    <div className="clipwise-cards w-full" data-count={cards.length} data-stale={props.stale ? "true" : "false"}>
      {props.stale ? (
        <div className="text-xs text-muted-foreground mb-1">An earlier list: its buttons no longer apply.</div>
      ) : null}
      <ul>
        {cards.map((card) => (
          <Card key={card.n} card={card} stale={props.stale} busy={busy} send={send} />
        ))}
      </ul>
    </div>
  );
}
