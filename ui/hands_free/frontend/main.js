// Hands-free conversation: listen all the time, send each utterance to the app as 16 kHz WAV,
// and stop the spoken reply as soon as the user starts talking (barge-in).
//
// Voice activity detection is Silero VAD running in this page (@ricky0123/vad-web with
// onnxruntime-web, files bundled at setup in vendor/; nothing is fetched from elsewhere). No audio
// leaves the machine: utterances go to the local Streamlit server only.
//
// Echo: the microphone is opened with the browser's echo cancellation, which removes this page's
// own playback from the signal, and while a reply is playing speech must be more certain
// (positiveSpeechThreshold SPEAKING_THRESHOLD instead of LISTENING_THRESHOLD) to count.
//
// Head start: the utterance is only sent once the speaker has been silent for the whole pause
// (pause_ms). As soon as that silence begins, the words so far are sent ("heard_so_far"), so the app
// transcribes them and prepares the answer while the pause runs out; the utterance then names them
// ("head_start"). Speech again within the pause makes them stale, and the utterance goes alone.
"use strict";

const LISTENING_THRESHOLD = 0.5;
const SPEAKING_THRESHOLD = 0.8;
const NEGATIVE_THRESHOLD = 0.35;
const PRE_SPEECH_PAD_MS = 300;
const FRAME_MS = 96; // the Silero model's frames: 1536 samples at 16 kHz
const HEAD_START_QUIET_FRAMES = 2; // about 0.2 s of silence before the words so far are sent
const LABELS = {
  starting: "Starting the microphone…",
  listening: "Listening — just talk",
  hearing: "Hearing you…",
  thinking: "Thinking…",
  speaking: "Speaking — talk to interrupt",
};

let args = {};
let vad = null;
let state = "starting";
let utterances = 0;
let stopped = false;
let positiveThreshold = LISTENING_THRESHOLD;
// The utterance being spoken, frame by frame (as the VAD keeps it), for the head start.
let inSpeech = false;
let heardFrames = [];
let speechFrames = 0;
let quietFrames = 0;
let headStart = null; // the nonce of the words so far sent in this pause, if still current

function concatFrames(frames) {
  const out = new Float32Array(frames.reduce((n, f) => n + f.length, 0));
  let offset = 0;
  for (const f of frames) { out.set(f, offset); offset += f.length; }
  return out;
}

function endOfUtterance() {
  inSpeech = false;
  heardFrames = [];
  speechFrames = 0;
  quietFrames = 0;
  headStart = null;
}

function onFrame(probs, frame) {
  heardFrames.push(frame);
  if (!inSpeech) {
    while (heardFrames.length > Math.floor(PRE_SPEECH_PAD_MS / FRAME_MS) + 1) heardFrames.shift();
    return;
  }
  if (probs.isSpeech >= positiveThreshold) {
    speechFrames += 1;
    quietFrames = 0;
    headStart = null; // talking again: the words sent in the pause were not all of it
    return;
  }
  if (probs.isSpeech < NEGATIVE_THRESHOLD) quietFrames += 1;
  const minSpeechFrames = Math.floor((args.min_speech_ms || 400) / FRAME_MS);
  if (args.head_start && headStart === null && quietFrames >= HEAD_START_QUIET_FRAMES && speechFrames >= minSpeechFrames) {
    headStart = "early-" + Date.now();
    const audio = concatFrames(heardFrames);
    mark("head_start");
    sendValue({ heard_so_far: wav16k(audio), seconds: audio.length / 16000, seq: utterances + 1, nonce: headStart });
  }
}

function post(type, extra) {
  window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
}
function sendValue(value) {
  post("streamlit:setComponentValue", { value: value, dataType: "json" });
}
function fitHeight() {
  post("streamlit:setFrameHeight", { height: document.body.scrollHeight });
}

function show(next, text) {
  state = next;
  const box = document.getElementById("state");
  box.dataset.state = next;
  document.getElementById("label").textContent = text || LABELS[next] || next;
  window.handsFreeState = next; // read by the browser tests
}

// The spoken reply's <audio> elements live in the page's other frames (same origin).
function replyAudio() {
  const found = [];
  let frames = [];
  try {
    frames = window.parent.document.querySelectorAll("iframe");
  } catch (e) {
    return found;
  }
  for (const frame of frames) {
    try {
      if (frame.contentDocument) found.push(...frame.contentDocument.querySelectorAll("audio"));
    } catch (e) {
      /* another origin: not ours */
    }
  }
  return found;
}
function replyPlaying() {
  return replyAudio().some((a) => !a.paused && !a.ended);
}
// Talking over the reply pauses it at once (speech onset); if it was only a cough (shorter than
// minSpeechMs) the reply resumes, otherwise it is stopped for good and the answer with it.
let pausedReply = [];
function pauseReply() {
  pausedReply = replyAudio().filter((a) => !a.paused && !a.ended);
  for (const audio of pausedReply) audio.pause();
  if (pausedReply.length) mark("reply_paused");
}
function resumeReply() {
  for (const audio of pausedReply) if (!audio.dataset.stopped) audio.play().catch(() => {});
  pausedReply = [];
}
function stopReply() {
  for (const audio of replyAudio()) {
    audio.dataset.stopped = "1"; // the player does not start the next sentence
    audio.pause();
  }
  pausedReply = [];
}

// Timestamps of what happened, for bench/hands_free.py and the browser tests.
window.handsFreeTimeline = [];
function mark(event) {
  window.handsFreeTimeline.push([event, performance.now()]);
}

function wav16k(samples) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, 16000, true); view.setUint32(28, 32000, true); view.setUint16(32, 2, true);
  view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function micError(error) {
  const name = (error && error.name) || "";
  if (!window.isSecureContext) {
    return "The browser allows the microphone only on http://localhost, http://127.0.0.1 or over HTTPS. Open the app that way (README: serving to other devices).";
  }
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Microphone permission was denied. Allow it in the browser's site settings, then switch Hands-free on again.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No microphone was found. Connect one, then switch Hands-free on again.";
  }
  return "The microphone could not be started (" + (error && error.message ? error.message : name || "unknown error") + ").";
}

function fail(message) {
  show("error", message);
  fitHeight();
  sendValue({ error: message, nonce: Date.now() });
}

async function start() {
  if (!window.vad || !window.ort) {
    fail("Hands-free needs its voice-detection files; run ./run.sh app again (it installs them with npm).");
    return;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    fail(micError(null));
    return;
  }
  const base = new URL("vendor/", window.location.href).href;
  try {
    vad = await window.vad.MicVAD.new({
      model: "legacy",
      baseAssetPath: base,
      onnxWASMBasePath: base,
      positiveSpeechThreshold: LISTENING_THRESHOLD,
      negativeSpeechThreshold: NEGATIVE_THRESHOLD,
      redemptionMs: args.pause_ms || 800,
      minSpeechMs: args.min_speech_ms || 400,
      preSpeechPadMs: PRE_SPEECH_PAD_MS,
      getStream: async () => {
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        });
        for (const track of stream.getAudioTracks()) {
          track.addEventListener("ended", () =>
            fail("The microphone was disconnected. Connect it, then switch Hands-free on again."),
          );
        }
        window.handsFreeStream = stream; // the browser tests unplug it
        return stream;
      },
      onFrameProcessed: onFrame,
      onSpeechStart: () => {
        mark("speech_start");
        inSpeech = true;
        speechFrames = 1;
        quietFrames = 0;
        headStart = null;
        if (replyPlaying()) pauseReply();
        if (state !== "error") show("hearing");
      },
      onSpeechRealStart: () => {
        const interrupted = pausedReply.length > 0 || replyPlaying();
        if (interrupted || state === "thinking" || state === "speaking") {
          if (interrupted) window.handsFreeStoppedSpeech = (window.handsFreeStoppedSpeech || 0) + 1;
          stopReply();
          sendValue({ barge_in: Date.now() });
        }
      },
      onVADMisfire: () => {
        endOfUtterance();
        resumeReply();
        show(replyPlaying() ? "speaking" : "listening");
      },
      onSpeechEnd: (audio) => {
        mark("speech_end");
        const early = headStart;
        endOfUtterance();
        utterances += 1;
        show("thinking");
        sendValue({
          utterance: wav16k(audio),
          seconds: audio.length / 16000,
          seq: utterances,
          nonce: Date.now(),
          head_start: early,
        });
      },
    });
    await vad.start();
    show("listening");
  } catch (error) {
    fail(micError(error));
  }
}

// Follow the reply: speaking while its audio plays, listening again when it is over.
setInterval(() => {
  for (const audio of replyAudio()) {
    if (!audio.dataset.watched) {
      audio.dataset.watched = "1";
      audio.addEventListener("playing", () => mark("reply_playing"));
      // A reply's player starts as it is drawn, often before this sees it: it says when.
      const since = Number(audio.dataset.playingSince || 0);
      if (since) window.handsFreeTimeline.push(["reply_playing", since - performance.timeOrigin]);
    }
  }
  if (!vad || stopped || state === "error" || state === "hearing") return;
  const playing = replyPlaying();
  if (playing && state !== "speaking") {
    show("speaking");
    positiveThreshold = SPEAKING_THRESHOLD;
    vad.setOptions({ positiveSpeechThreshold: positiveThreshold });
  } else if (!playing && state === "speaking") {
    show("listening");
    positiveThreshold = LISTENING_THRESHOLD;
    vad.setOptions({ positiveSpeechThreshold: positiveThreshold });
  } else if (!playing && state === "thinking" && args.answered >= utterances && args.answered > 0) {
    show("listening"); // the answer ended without speech (spoken replies off, or nothing to say)
  }
}, 100);

window.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "streamlit:render") return;
  args = data.args || {};
  if (!vad && state === "starting" && !window.handsFreeStarting) {
    window.handsFreeStarting = true;
    start();
  }
  fitHeight();
});

window.addEventListener("pagehide", () => {
  stopped = true;
  if (vad) vad.destroy();
});

post("streamlit:componentReady", { apiVersion: 1 });
fitHeight();
