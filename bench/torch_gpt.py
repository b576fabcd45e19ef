# The PyTorch side of bench/train-speed.ts: the same GPT as src/train/model.ts (token + learned position
# embeddings, pre-norm blocks with one QKV matmul, causal attention, tanh-GELU MLP 4x, final LayerNorm,
# output tied to the token embedding), AdamW and global-norm clipping, trained on the same llm.c shard.
# Prints one JSON line: {"threads", "tokens_per_s", "step_s", "loss_first", "loss_last", "torch"}.
import argparse, json, math, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--shard", required=True)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--width", type=int, default=128)
p.add_argument("--context", type=int, default=64)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--vocab", type=int, default=256)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--steps", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


class Block(nn.Module):
    def __init__(s, d, h):
        super().__init__()
        s.h = h
        s.ln1, s.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.qkv, s.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        s.fc, s.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(s, x, mask):
        B, T, d = x.shape
        q, k, v = s.qkv(s.ln1(x)).view(B, T, 3 * s.h, d // s.h).transpose(1, 2).split(s.h, dim=1)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // s.h)) + mask[:T, :T]
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, d)
        x = x + s.proj(y)
        return x + s.out(F.gelu(s.fc(s.ln2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte, s.wpe = nn.Embedding(a.vocab, a.width), nn.Embedding(a.context, a.width)
        s.blocks = nn.ModuleList([Block(a.width, a.heads) for _ in range(a.layers)])
        s.lnf = nn.LayerNorm(a.width)
        s.register_buffer("mask", torch.triu(torch.full((a.context, a.context), -1e9), 1))

    def forward(s, idx, targets):
        T = idx.shape[1]
        x = s.wte(idx) + s.wpe.weight[:T]
        for b in s.blocks:
            x = b(x, s.mask)
        logits = s.lnf(x) @ s.wte.weight.t()
        return F.cross_entropy(logits.view(-1, a.vocab), targets.view(-1))


model = Gpt()
# GPT-2's initialization, as src/train/model.ts (the speed does not depend on it; the losses then compare)
for n, p_ in model.named_parameters():
    if n.endswith("bias"):
        nn.init.zeros_(p_)
    elif p_.dim() >= 2:
        nn.init.normal_(p_, 0.0, 0.02 / math.sqrt(2 * a.layers) if n.endswith(("proj.weight", "out.weight")) else 0.02)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
rest = [p for n, p in model.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
tokens = np.fromfile(a.shard, dtype=np.uint16, offset=1024).astype(np.int64)
need = a.batch * a.context + 1
pos = 0
losses = []


def step():
    global pos
    if pos + need > len(tokens):
        pos = 0
    buf = torch.from_numpy(tokens[pos : pos + need])
    pos += need - 1
    x, y = buf[:-1].view(a.batch, a.context), buf[1:].view(a.batch, a.context)
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    losses.append(loss.item())


for _ in range(a.warmup):
    step()
t0 = time.perf_counter()
for _ in range(a.steps):
    step()
dt = time.perf_counter() - t0
print(json.dumps({"threads": a.threads, "tokens_per_s": a.steps * a.batch * a.context / dt, "step_s": dt / a.steps, "loss_first": losses[0], "loss_last": losses[-1], "torch": torch.__version__, "parameters": sum(p.numel() for p in model.parameters())}))
