"""Play a reply's sentences in order while later ones are still being written.

Each spoken sentence is written as static/tts/<reply>/<n>.wav, <reply> being a random 128-bit
id (Streamlit serves ./static at /app/static when enableStaticServing is on). A small player is
drawn as soon as the first sentence is synthesised, with that sentence inside it (base64), so it
starts at once: no request to wait for while the model writes on (on two cores fetching it then
took 0.05-0.23 s, BENCHMARKS.md). It then fetches 1.wav, 2.wav, ... in turn, starting each one when
the previous ends; state.json, written with the folder and after each sentence, says how many are
written and whether that is all, so the player only asks for files that exist (no stream of 404s
while the model writes on). The player's HTML holds only the reply's random id and audio: no user
or model text.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
import uuid
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from utils.helpers import atomic_write_bytes

STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "tts"
KEEP_S = 30 * 60
PLAYER_HEIGHT = 44  # pixels

_PLAYER = """
<audio id="player" controls style="width:100%;height:32px"></audio>
<script>
const base = "/app/static/tts/REPLY_ID/";
const player = document.getElementById("player");
let next = 1;
const wait = ms => new Promise(r => setTimeout(r, ms));
async function piece(url) {  // the sentence's WAV, fetched once, or null while it is not written
  try {
    const r = await fetch(url, {cache: "no-store"});
    return r.ok ? await r.blob() : null;
  } catch (e) { return null; }
}
function play(wav, url) {
  if (player.dataset.stopped) return;  // stopped: hands-free barge-in
  if (player.src) URL.revokeObjectURL(player.src);
  player.src = URL.createObjectURL(wav);
  player.dataset.piece = url;  // which sentence plays (for tests)
  player.play().catch(() => {});
}
async function written() {  // {"written": n, "done": true|false}, or null
  try {
    const r = await fetch(base + "state.json", {cache: "no-store"});
    return r.ok ? await r.json() : null;
  } catch (e) { return null; }
}
async function playNext() {
  for (let tries = 0; tries < 2400; tries++) {
    const state = await written();
    if (state && state.written > next) {
      const wav = await piece(base + next + ".wav");
      if (wav !== null) {
        play(wav, base + next + ".wav");
        next += 1;
        return;
      }
    }
    if (state && state.done && next >= state.written) return;
    await wait(100);
  }
}
player.addEventListener("ended", playNext);
player.addEventListener("playing", () => {  // when the reply was first heard (epoch ms, for tests)
  const now = performance.timeOrigin + performance.now();
  if (!player.dataset.playingSince) player.dataset.playingSince = String(now);
});
const first = atob("FIRST_WAV");  // the first sentence, drawn with the player
const bytes = new Uint8Array(first.length);
for (let i = 0; i < first.length; i++) bytes[i] = first.charCodeAt(i);
play(new Blob([bytes], {type: "audio/wav"}), base + "0.wav");
</script>
"""


class LiveReplyAudio:
    """The files and the player for one spoken reply."""

    def __init__(self) -> None:
        self.reply = uuid.uuid4().hex
        self.folder = STATIC_DIR / self.reply
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._write_state(done=False)
        self._slot: DeltaGenerator | None = None
        _remove_old()

    def reserve_player(self) -> None:
        """Keep the player's place and height (here, above the answer, so the text does not move
        when it appears); it is drawn with the first sentence."""
        self._slot = st.empty()
        with self._slot.container(height=PLAYER_HEIGHT, border=False):  # an empty one is not shown
            st.caption(":material/volume_up: Preparing the spoken reply…")

    def add(self, index: int, wav: bytes) -> None:
        atomic_write_bytes(self.folder / f"{index}.wav", wav)
        self.count = max(self.count, index + 1)
        self._write_state(done=False)
        if index == 0 and self._slot is not None:
            first = base64.b64encode(wav).decode("ascii")  # [A-Za-z0-9+/=] only: inert in the script
            html = _PLAYER.replace("REPLY_ID", self.reply).replace("FIRST_WAV", first)
            self._slot.iframe(html, height=PLAYER_HEIGHT)  # trusted template, random id and the audio

    def clear_if_silent(self) -> None:
        """The answer ended with nothing spoken (no sentence, or the voice failed): no placeholder."""
        if self.count == 0 and self._slot is not None:
            self._slot.empty()

    def finish(self) -> None:
        self._write_state(done=True)

    def _write_state(self, done: bool) -> None:
        state = {"written": self.count, "done": done}
        atomic_write_bytes(self.folder / "state.json", json.dumps(state).encode())


def _remove_old() -> None:
    now = time.time()
    for folder in STATIC_DIR.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > KEEP_S:
            shutil.rmtree(folder, ignore_errors=True)


def remove_replies(replies: list[str]) -> None:
    """Remove the served sentence files of these replies (their chat was deleted)."""
    for reply in replies:
        if len(reply) == 32 and reply.isalnum():  # our own random ids only, never a path
            shutil.rmtree(STATIC_DIR / reply, ignore_errors=True)
