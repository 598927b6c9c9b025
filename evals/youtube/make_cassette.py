"""Write cassettes/youtube.yaml: the YouTube responses the youtube suite replays (vcrpy, record_mode none).

Nothing in the cassette was recorded from YouTube. There is no network where the suite runs, so
every response is written here, by hand, in the exact shape of the real services:

- YouTube Data API v3 `search.list` (youtube#searchListResponse, part=id) and `videos.list`
  (youtube#videoListResponse with snippet, contentDetails.duration in ISO 8601, statistics and
  thumbnails), requested by google-api-python-client over httplib2;
- the three requests youtube-transcript-api 1.2.5 makes per video over requests
  (`youtube_transcript_api/_transcripts.py`): the watch page HTML carrying INNERTUBE_API_KEY, the
  POST to the innertube `player` endpoint whose `captions.playerCaptionsTracklistRenderer` lists the
  caption tracks, and the GET of a track's `baseUrl`, which answers the timed-text XML.
  A player response without `captions` is what makes the library raise TranscriptsDisabled.

The videos, ids, channels, texts and numbers below are invented (11-character ids in YouTube's
alphabet); none is copied from a real video. The cassette holds no API key: recorded request URIs
carry no `key` parameter, and the runner filters `key` out of live requests before matching.

    uv run python evals/youtube/make_cassette.py            # rewrites cassettes/youtube.yaml
    uv run python evals/youtube/make_cassette.py --out X    # somewhere else (the tests compare)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import sys
from pathlib import Path
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape

import yaml

HERE = Path(__file__).resolve().parent
CASSETTE = HERE / "cassettes" / "youtube.yaml"

DATA_API = "https://youtube.googleapis.com/youtube/v3"
WATCH = "https://www.youtube.com/watch"
PLAYER = "https://www.youtube.com/youtubei/v1/player"
TIMEDTEXT = "https://www.youtube.com/api/timedtext"
INNERTUBE_KEY = "invented-innertube-key"
"""The watch page's INNERTUBE_API_KEY (a public page value on YouTube; invented here)."""
INNERTUBE_CONTEXT = {"client": {"clientName": "ANDROID", "clientVersion": "20.10.38"}}
"""What youtube-transcript-api 1.2.5 posts (`_settings.py`). The runner never matches on the body
as a whole, only on its videoId, so another client version still replays."""
DATE = "Mon, 02 Jun 2025 09:00:00 GMT"
SEARCH_PARAMS = {"part": "id", "type": "video", "maxResults": 25, "videoDuration": "any", "safeSearch": "moderate"}
"""What clipwise's client sends for a query under no length or date limit, or a limit ("nothing
over 10 minutes") that maps to videoDuration=any (tools/youtube/api.py SearchLimits)."""
DETAILS_PARTS = "snippet,contentDetails,statistics"

CHANNELS = {
    "Hive & Honey Co.": "UCq3Hv7nX2pLd9wKe4mTz1Ab",
    "Apiary Field Notes": "UCr8Kp2wQz5nMv1xTe7hLc3D",
    "The Quiet Apiary": "UCm5Tz9qLw2xNp4vKe8hRd6F",
    "Pollen Path": "UCx2Lq7vNe9pKz3wMt5hDr8G",
}

# -- the invented videos -----------------------------------------------------------------------
# captions: "manual" (a human-made English track), "asr" (auto-generated English) or None (the
# uploader turned captions off: the player response has no captions at all).
# transcript: the spoken lines, spread evenly over the video's length.

VIDEOS = [
    {
        "id": "q7Hb2LwX0sA",
        "title": "Beekeeping for beginners: setting up your first hive",
        "channel": "Hive & Honey Co.",
        "published": "2023-04-18T15:00:07Z",
        "duration": "PT14M32S",
        "views": 184233, "likes": 5120, "comments": 342,
        "tags": ["beekeeping", "beekeeping for beginners", "beehive", "honey bees", "hive setup"],
        "description": "Everything you need before your first package of bees arrives: choosing a hive, "
                       "where to put it, the tools that matter, and what to do on install day.",
        "captions": "manual",
        "transcript": [
            "Welcome back to Hive and Honey. Today is for everyone thinking about keeping bees for the first time.",
            "We'll go through the hive itself, where to put it, the few tools you really need, and install day.",
            "Let's start with the hive. Most beginners do best with a Langstroth hive: stacked boxes with removable frames.",
            "Removable frames matter because you need to inspect the colony, and frames let you lift out one comb at a time.",
            "Start with two deep boxes for the brood and one shallow super for honey. Add more supers as the colony grows.",
            "Placement is the next big decision. Face the entrance towards the morning sun so the bees start foraging early.",
            "Give them a windbreak, keep the hive off the ground on a stand, and tilt it slightly forward so rain runs out.",
            "Think about your neighbours too. A tall hedge or fence makes the bees fly up and over, above people's heads.",
            "Now the tools. You need a hive tool to pry frames apart, a smoker, and a veil. Gloves are optional after a while.",
            "The smoker calms the colony: smoke masks the alarm scent, so light it well before you open the hive.",
            "Install day. A package of bees comes with a caged queen; you hang her cage between two frames in the middle.",
            "Shake the workers in gently, close the hive, and give them sugar syrup for the first few weeks.",
            "Leave them alone for about a week. Then check that the queen is out and that you can see eggs in the cells.",
            "Eggs mean a laying queen, and a laying queen means your first hive is up and running.",
            "That's the whole setup. In the next video we'll do a full spring inspection together, frame by frame.",
            "Thanks for watching, and good luck with your first hive.",
        ],
    },
    {
        "id": "Zk2mW5qJd9E",
        "title": "Varroa mites: how to test and treat a honey bee colony",
        "channel": "Apiary Field Notes",
        "published": "2022-09-05T12:30:00Z",
        "duration": "PT8M40S",
        "views": 96410, "likes": 2875, "comments": 211,
        "tags": ["beekeeping", "varroa mites", "bee health", "alcohol wash", "honey bees"],
        "description": "Varroa is the number one killer of honey bee colonies. Here is how to count mites "
                       "with an alcohol wash or a sugar roll, and when the count says it is time to treat.",
        "captions": "manual",
        "transcript": [
            "If you keep bees, varroa mites are the problem you cannot ignore.",
            "These mites feed on developing bees and spread viruses, and an untreated colony usually collapses within two years.",
            "The good news is that you can measure them. The standard test is the alcohol wash.",
            "Scoop about three hundred bees from a brood frame into a jar, that's roughly half a cup.",
            "Cover them with alcohol, shake for a minute, and pour through a mesh so the mites fall out and can be counted.",
            "If you'd rather not kill any bees, do a sugar roll instead: powdered sugar makes the mites drop off.",
            "Divide the mites by three and you have the number of mites per hundred bees.",
            "Above three mites per hundred bees in late summer, it is time to treat the colony.",
            "Oxalic acid works well when there is little brood, for example in winter, and it is cheap.",
            "Formic acid reaches mites inside capped brood, but watch the temperature when you use it.",
            "Whatever you use, test again two weeks after treating to check that the count really went down.",
            "Test every month from spring to autumn and write the numbers down. The trend tells you more than one count.",
        ],
    },
    {
        "id": "Hc6pN1sGf4U",
        "title": "Harvesting honey without stressing the bees",
        "channel": "The Quiet Apiary",
        "published": "2021-07-30T08:00:00Z",
        "duration": "PT22M10S",
        "views": 51207, "likes": 1980, "comments": 97,
        "tags": ["beekeeping", "honey harvest", "extracting honey", "calm bees"],
        "description": "A slow, quiet honey harvest: clearing the supers with a bee escape, uncapping, "
                       "extracting and bottling, and how much honey to leave for the colony.",
        "captions": None,
        "transcript": [],
    },
    {
        "id": "Lp8vD3eKa1Q",
        "title": "How honey bees turn nectar into honey",
        "channel": "Hive & Honey Co.",
        "published": "2024-05-09T16:00:00Z",
        "duration": "PT9M12S",
        "views": 73318, "likes": 3302, "comments": 158,
        "tags": ["honey bees", "how honey is made", "nectar", "beekeeping"],
        "description": "From flower to frame: how forager bees collect nectar, how house bees pass it on, "
                       "and why they fan their wings all night to turn it into honey.",
        "captions": "asr",
        "transcript": [
            "hi everyone today we're following a drop of nectar from a flower all the way into a jar of honey",
            "it starts with a forager bee she sucks up nectar with her tongue and stores it in her honey stomach",
            "on the way home enzymes in her honey stomach already start breaking the sugars down",
            "back at the hive she passes the nectar mouth to mouth to a younger house bee",
            "the house bees pass it along several times and every pass adds more enzymes",
            "then they spread the nectar thin in the cells of the comb",
            "fresh nectar is mostly water so the bees fan their wings to evaporate it",
            "you can hear the hive humming at night that's the fanning",
            "when the water content drops below about eighteen percent it's honey and it won't spoil",
            "the bees seal each finished cell with a wax cap and that capped honey is what a beekeeper harvests",
            "one bee makes only about a twelfth of a teaspoon of honey in her whole life",
            "so every jar is the work of hundreds of bees thanks for watching",
        ],
    },
    {
        "id": "Wt5gY9rBn6M",
        "title": "Why honey bees dance: the waggle dance decoded",
        "channel": "Pollen Path",
        "published": "2023-11-02T10:15:00Z",
        "duration": "PT7M48S",
        "views": 128940, "likes": 6711, "comments": 405,
        "tags": ["honey bees", "waggle dance", "bee communication", "insects", "nature"],
        "description": "A scout bee found flowers two kilometres away. How does she tell her sisters where "
                       "to fly? The waggle dance, step by step.",
        "captions": "manual",
        "transcript": [
            "A scout bee has just found a field of clover. How does she tell the rest of the hive where it is?",
            "She dances. On the vertical comb, in the dark, she runs a figure of eight called the waggle dance.",
            "In the straight middle part of the figure she waggles her body from side to side.",
            "The angle of that waggle run, measured from straight up, is the angle between the sun and the flowers.",
            "Straight up the comb means fly towards the sun. Straight down means fly away from it.",
            "The length of the waggle run tells distance: the longer she waggles, the further away the flowers are.",
            "Roughly one second of waggling means about a kilometre of flight.",
            "The bees following her pick up the scent of the flowers too, which helps them search once they arrive.",
            "For food very close to the hive she does a round dance instead, with no direction in it.",
            "The dance was decoded by Karl von Frisch, who shared a Nobel Prize for it in 1973.",
            "Next time you open a hive, watch the comb near the entrance and you may catch a dancer at work.",
        ],
    },
]

SEARCHES = {
    "beekeeping": ["q7Hb2LwX0sA", "Zk2mW5qJd9E", "Hc6pN1sGf4U"],
    "honey bees": ["Lp8vD3eKa1Q", "Wt5gY9rBn6M"],
}
"""What search.list answers for each query, best first (clipwise asks videos.list for the same ids)."""


# -- the shapes of the real responses -----------------------------------------------------------

def etag(*parts: str) -> str:
    """A stable, etag-looking string (YouTube's are 27 url-safe base64 characters)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:27]


def seconds(duration: str) -> int:
    """Seconds of our own 'PT#M#S' strings (the client parses the real thing with isodate)."""
    body = duration.removeprefix("PT")
    total, number = 0, ""
    for ch in body:
        if ch.isdigit():
            number += ch
        else:
            total += int(number) * {"H": 3600, "M": 60, "S": 1}[ch]
            number = ""
    return total


def thumbnails(video_id: str) -> dict:
    sizes = [("default", "default", 120, 90), ("medium", "mqdefault", 320, 180), ("high", "hqdefault", 480, 360),
             ("standard", "sddefault", 640, 480), ("maxres", "maxresdefault", 1280, 720)]
    return {name: {"url": f"https://i.ytimg.com/vi/{video_id}/{file}.jpg", "width": w, "height": h}
            for name, file, w, h in sizes}


def search_response(query: str, ids: list[str]) -> dict:
    return {
        "kind": "youtube#searchListResponse",
        "etag": etag("search", query),
        "regionCode": "US",
        "pageInfo": {"totalResults": len(ids), "resultsPerPage": SEARCH_PARAMS["maxResults"]},
        "items": [{"kind": "youtube#searchResult", "etag": etag("result", query, i),
                   "id": {"kind": "youtube#video", "videoId": i}} for i in ids],
    }


def video_item(v: dict) -> dict:
    return {
        "kind": "youtube#video",
        "etag": etag("video", v["id"]),
        "id": v["id"],
        "snippet": {
            "publishedAt": v["published"],
            "channelId": CHANNELS[v["channel"]],
            "title": v["title"],
            "description": v["description"],
            "thumbnails": thumbnails(v["id"]),
            "channelTitle": v["channel"],
            "tags": v["tags"],
            "categoryId": "27",
            "liveBroadcastContent": "none",
            "defaultLanguage": "en",
            "localized": {"title": v["title"], "description": v["description"]},
            "defaultAudioLanguage": "en",
        },
        "contentDetails": {
            "duration": v["duration"],
            "dimension": "2d",
            "definition": "hd",
            "caption": "true" if v["captions"] == "manual" else "false",
            "licensedContent": False,
            "contentRating": {},
            "projection": "rectangular",
        },
        "statistics": {"viewCount": str(v["views"]), "likeCount": str(v["likes"]), "favoriteCount": "0",
                       "commentCount": str(v["comments"])},
    }


def videos_response(videos: list[dict]) -> dict:
    return {
        "kind": "youtube#videoListResponse",
        "etag": etag("videos", *(v["id"] for v in videos)),
        "items": [video_item(v) for v in videos],
        "pageInfo": {"totalResults": len(videos), "resultsPerPage": len(videos)},
    }


def watch_page(v: dict) -> str:
    """The parts of a watch page youtube-transcript-api reads: INNERTUBE_API_KEY in ytcfg, no consent form."""
    title = html.escape(v["title"])
    ytcfg = {"INNERTUBE_API_KEY": INNERTUBE_KEY, "INNERTUBE_API_VERSION": "v1", "INNERTUBE_CLIENT_NAME": "WEB",
             "INNERTUBE_CLIENT_VERSION": "2.20250530.01.00", "HL": "en", "GL": "US"}
    return (
        '<!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" lang="en">'
        f'<head><meta http-equiv="origin-trial" content=""><title>{title} - YouTube</title>'
        f'<meta name="title" content="{title}"><link rel="canonical" href="{WATCH}?v={v["id"]}">'
        f'<script nonce="invented">ytcfg.set({json.dumps(ytcfg)}); window.ytcfg.obfuscatedData_ = [];</script>'
        '</head><body dir="ltr"><ytd-app></ytd-app></body></html>\n'
    )


def track_query(v: dict) -> dict:
    """A caption track's baseUrl parameters (signed and expiring on YouTube; invented here)."""
    query = {"v": v["id"], "ei": etag("ei", v["id"])[:22], "caps": "asr", "opi": "112496729", "xoaf": "5",
             "hl": "en", "ip": "0.0.0.0", "ipbits": "0", "expire": "1748862000",
             "sparams": "ip,ipbits,expire,v,ei,caps,opi,xoaf",
             "signature": etag("sig", v["id"]).upper()[:20] + "." + etag("sig2", v["id"]).upper()[:20],
             "lang": "en"}
    if v["captions"] == "asr":
        query["kind"] = "asr"
    return query


def player_response(v: dict) -> dict:
    length = seconds(v["duration"])
    data = {
        "responseContext": {"visitorData": etag("visitor", v["id"]), "serviceTrackingParams": []},
        "playabilityStatus": {"status": "OK", "playableInEmbed": True, "contextParams": etag("ctx", v["id"])},
        "videoDetails": {
            "videoId": v["id"], "title": v["title"], "lengthSeconds": str(length),
            "keywords": v["tags"], "channelId": CHANNELS[v["channel"]], "isOwnerViewing": False,
            "shortDescription": v["description"], "isCrawlable": True, "allowRatings": True,
            "viewCount": str(v["views"]), "author": v["channel"], "isPrivate": False,
            "isUnpluggedCorpus": False, "isLiveContent": False,
        },
    }
    if v["captions"]:
        asr = v["captions"] == "asr"
        track = {
            "baseUrl": f"{TIMEDTEXT}?{urlencode(track_query(v))}",
            "name": {"runs": [{"text": "English (auto-generated)" if asr else "English"}]},
            "vssId": "a.en" if asr else ".en",
            "languageCode": "en",
            "isTranslatable": True,
            "trackName": "",
        }
        if asr:
            track["kind"] = "asr"
        data["captions"] = {"playerCaptionsTracklistRenderer": {
            "captionTracks": [track],
            "audioTracks": [{"captionTrackIndices": [0], "audioTrackId": "en.0"}],
            "translationLanguages": [{"languageCode": code, "languageName": {"runs": [{"text": name}]}}
                                     for code, name in (("de", "German"), ("es", "Spanish"), ("fr", "French"))],
            "defaultAudioTrackIndex": 0,
        }}
    return data


def timedtext(v: dict) -> str:
    """The track's XML: <text start dur> lines, the text HTML-escaped inside XML as YouTube sends it."""
    lines = v["transcript"]
    step = seconds(v["duration"]) / len(lines)
    texts = "".join(
        f'<text start="{i * step:.2f}" dur="{step:.2f}">{xml_escape(html.escape(line, quote=True))}</text>'
        for i, line in enumerate(lines)
    )
    return f'<?xml version="1.0" encoding="utf-8" ?><transcript>{texts}</transcript>'


# -- interactions ---------------------------------------------------------------------------------

def interaction(method: str, uri: str, status: int, content_type: str, body: str, extra_headers: dict | None = None,
                request_body: str | None = None, request_headers: dict | None = None) -> dict:
    headers = {"Content-Type": [content_type], "Date": [DATE], **(extra_headers or {}),
               "Content-Length": [str(len(body.encode("utf-8")))]}
    return {
        "request": {"body": request_body, "headers": request_headers or {}, "method": method, "uri": uri},
        "response": {"status": {"code": status, "message": "OK"}, "headers": headers, "body": {"string": body}},
    }


def api_json(data: dict) -> str:
    # The Data API answers pretty-printed JSON with two-space indents.
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


GOOGLE_HEADERS = {"Vary": ["Origin", "X-Origin", "Referer"], "Server": ["scaffolding on HTTPServer2"],
                  "Cache-Control": ["private"], "X-Content-Type-Options": ["nosniff"]}
API_REQUEST_HEADERS = {"accept": ["application/json"], "accept-encoding": ["gzip, deflate"]}


def interactions() -> list[dict]:
    by_id = {v["id"]: v for v in VIDEOS}
    out = []
    for query, ids in SEARCHES.items():
        params = {"part": SEARCH_PARAMS["part"], "type": SEARCH_PARAMS["type"], "q": query,
                  "maxResults": SEARCH_PARAMS["maxResults"], "videoDuration": SEARCH_PARAMS["videoDuration"],
                  "safeSearch": SEARCH_PARAMS["safeSearch"], "alt": "json"}
        out.append(interaction("GET", f"{DATA_API}/search?{urlencode(params)}", 200, "application/json; charset=UTF-8",
                               api_json(search_response(query, ids)), GOOGLE_HEADERS,
                               request_headers=API_REQUEST_HEADERS))
        params = {"part": DETAILS_PARTS, "id": ",".join(ids), "alt": "json"}
        out.append(interaction("GET", f"{DATA_API}/videos?{urlencode(params)}", 200, "application/json; charset=UTF-8",
                               api_json(videos_response([by_id[i] for i in ids])), GOOGLE_HEADERS,
                               request_headers=API_REQUEST_HEADERS))
    for v in VIDEOS:
        out.append(interaction("GET", f"{WATCH}?{urlencode({'v': v['id']})}", 200, "text/html; charset=utf-8",
                               watch_page(v), request_headers={"Accept-Language": ["en-US"]}))
        body = json.dumps({"context": INNERTUBE_CONTEXT, "videoId": v["id"]})
        out.append(interaction("POST", PLAYER, 200, "application/json; charset=UTF-8",
                               api_json(player_response(v)), request_body=body,
                               request_headers={"Accept-Language": ["en-US"], "Content-Type": ["application/json"]}))
        if v["captions"]:
            out.append(interaction("GET", f"{TIMEDTEXT}?{urlencode(track_query(v))}", 200, "text/xml; charset=UTF-8",
                                   timedtext(v), request_headers={"Accept-Language": ["en-US"]}))
    return out


HEADER = """\
# vcrpy cassette for the clipwise youtube eval suite (evals/youtube). WRITTEN, NOT RECORDED:
# there is no network where the suite runs, so make_cassette.py writes every response by hand in
# the exact shape of the real services: YouTube Data API v3 search.list (youtube#searchListResponse)
# and videos.list (youtube#videoListResponse: snippet, contentDetails.duration in ISO 8601,
# statistics, thumbnails), and the watch page -> innertube player -> caption track XML requests
# youtube-transcript-api 1.2.5 makes. Every video, id, channel and text is invented.
# No API key: recorded URIs carry no `key` parameter (the replay filters it from live requests).
# Do not edit by hand: change evals/youtube/make_cassette.py and run
#   uv run python evals/youtube/make_cassette.py
"""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # every interaction spelled out, no &id001 anchors
        return True


def _str(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text and text.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def render() -> str:
    data = {"interactions": interactions(), "version": 1}
    return HEADER + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CASSETTE)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(), encoding="utf-8")
    print(f"wrote {len(interactions())} interactions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
