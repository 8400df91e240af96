#!/usr/bin/python3
"""The reference for `make bench`: the same MLP (784-256-128-10, ReLU), batch
64, SGD with momentum 0.9 and lr 0.05, He-initialised, one epoch over the
Fashion-MNIST training set plus evaluation on the test set, in PyTorch.
Prints the epoch's seconds (training and test evaluation), as the
Acheron example does. Usage: train_torch.py DIR THREADS"""
import gzip, sys, time

import numpy as np
import torch


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    d, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    xtr = torch.tensor(idx(d + "/train-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    ytr = torch.tensor(idx(d + "/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xte = torch.tensor(idx(d + "/t10k-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    yte = torch.tensor(idx(d + "/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    lossf = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    perm = torch.randperm(xtr.shape[0])
    nb = xtr.shape[0] // 64
    correct = 0
    for b in range(nb):
        i = perm[b * 64:(b + 1) * 64]
        x, y = xtr[i], ytr[i]
        out = model(x)
        loss = lossf(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        correct += (out.argmax(1) == y).sum().item()
    with torch.no_grad():
        test = (model(xte).argmax(1) == yte).sum().item()
    secs = time.perf_counter() - t0
    print("%.3f %.2f %.2f" % (secs, 100 * correct / (nb * 64), 100 * test / xte.shape[0]))


main()
