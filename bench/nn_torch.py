#!/usr/bin/python3
"""The reference for `make bench-nn`: the models of examples/fashion/train.b
in PyTorch, trained the same way (batch 64, Adam lr 0.001, cross-entropy),
one epoch over the Fashion-MNIST training set, then the test set in
chunks of 1000. Prints the epoch's seconds (training and test evaluation,
as train.dis times them), the training and the test accuracy.
Usage: nn_torch.py DIR THREADS mlp|cnn
With DIR "infer": images per second through the model in evaluation mode
at batch 1 and 256 for SECONDS each (nn_torch.py infer THREADS MODEL
SECONDS), as bench/nninfer.b measures ours."""
import gzip, sys, time

import numpy as np
import torch
from torch import nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def model(arch):
    if arch == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def infer(threads, arch, secs):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = model(arch)
    net.eval()
    with torch.no_grad():
        for b in (1, 256):
            x = torch.full((b, 1, 28, 28) if arch == "cnn" else (b, 28, 28), 0.5)
            net(x)
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < secs:
                net(x)
                n += b
            print("%d %.1f" % (b, n / (time.perf_counter() - t0)))


def main():
    if sys.argv[1] == "infer":
        infer(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
        return
    d, threads, arch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    shape = (-1, 1, 28, 28) if arch == "cnn" else (-1, 28, 28)
    xtr = torch.tensor(idx(d + "/train-images-idx3-ubyte.gz"), dtype=torch.float32).reshape(shape) / 255
    ytr = torch.tensor(idx(d + "/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xte = torch.tensor(idx(d + "/t10k-images-idx3-ubyte.gz"), dtype=torch.float32).reshape(shape) / 255
    yte = torch.tensor(idx(d + "/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    net = model(arch)
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    lossf = nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    net.train()
    perm = torch.randperm(xtr.shape[0])
    nb = xtr.shape[0] // 64
    correct = 0
    for b in range(nb):
        i = perm[b * 64:(b + 1) * 64]
        x, y = xtr[i], ytr[i]
        opt.zero_grad()
        out = net(x)
        loss = lossf(out, y)
        loss.backward()
        opt.step()
        correct += (out.argmax(1) == y).sum().item()
    net.eval()
    test = 0
    with torch.no_grad():
        for s in range(0, xte.shape[0], 1000):
            test += (net(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum().item()
    secs = time.perf_counter() - t0
    print("%.3f %.2f %.2f" % (secs, 100 * correct / (nb * 64), 100 * test / xte.shape[0]))


main()
