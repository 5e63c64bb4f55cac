"""The small digits CNN in float64 numpy: forward, backward and an Adam training loop.

Layout is NHWC throughout, the same as TOSA, so the trained weights map onto the graph without
reordering surprises:
  conv3x3 (1->8, pad 1) -> relu -> maxpool 2x2 -> conv3x3 (8->16, pad 1) -> relu -> maxpool 2x2
  -> flatten (h, w, c order) -> dense 64->10.
The network sees pixels / 16 while training; the exporter folds that factor into the first conv.
"""

import numpy as np

PIXEL_MAX = 16.0
CONV1_CHANNELS = 8
CONV2_CHANNELS = 16
CLASSES = 10


def init_params(rng):
    """He-initialised weights. Conv weights are [KH*KW*IC, OC] matrices in (ky, kx, ic) order."""

    def he(fan_in, shape):
        return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

    return {
        "w1": he(9, (9, CONV1_CHANNELS)),
        "b1": np.zeros(CONV1_CHANNELS),
        "w2": he(9 * CONV1_CHANNELS, (9 * CONV1_CHANNELS, CONV2_CHANNELS)),
        "b2": np.zeros(CONV2_CHANNELS),
        "w3": he(4 * CONV2_CHANNELS, (4 * CONV2_CHANNELS, CLASSES)),
        "b3": np.zeros(CLASSES),
    }


def _im2col3x3(x):
    """[B,H,W,C] -> [B,H,W,9*C] patches of a 3x3 'same' convolution, (ky, kx, c) order."""
    b, h, w, c = x.shape
    padded = np.zeros((b, h + 2, w + 2, c), dtype=x.dtype)
    padded[:, 1:-1, 1:-1, :] = x
    patches = [padded[:, ky:ky + h, kx:kx + w, :] for ky in range(3) for kx in range(3)]
    return np.concatenate(patches, axis=3)


def _col2im3x3(cols, c):
    """Adjoint of _im2col3x3: [B,H,W,9*C] -> [B,H,W,C]."""
    b, h, w, _ = cols.shape
    padded = np.zeros((b, h + 2, w + 2, c), dtype=cols.dtype)
    k = 0
    for ky in range(3):
        for kx in range(3):
            padded[:, ky:ky + h, kx:kx + w, :] += cols[..., k * c:(k + 1) * c]
            k += 1
    return padded[:, 1:-1, 1:-1, :]


def _maxpool2x2(x):
    """Returns the pooled tensor and the one-hot position of each window's (first) maximum."""
    b, h, w, c = x.shape
    windows = x.reshape(b, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4)
    windows = windows.reshape(b, h // 2, w // 2, c, 4)
    winner = windows.argmax(axis=4)
    onehot = np.arange(4) == winner[..., None]
    return windows.max(axis=4), onehot


def _unpool2x2(grad, onehot):
    b, h, w, c = grad.shape
    spread = (onehot * grad[..., None]).reshape(b, h, w, c, 2, 2)
    return spread.transpose(0, 1, 4, 2, 5, 3).reshape(b, 2 * h, 2 * w, c)


def forward(params, images):
    """images: [B,8,8,1] raw pixels. Returns logits and the cache backward() needs."""
    x = images.astype(np.float64) / PIXEL_MAX
    cols1 = _im2col3x3(x)
    z1 = cols1 @ params["w1"] + params["b1"]
    a1 = np.maximum(z1, 0.0)
    p1, mask1 = _maxpool2x2(a1)
    cols2 = _im2col3x3(p1)
    z2 = cols2 @ params["w2"] + params["b2"]
    a2 = np.maximum(z2, 0.0)
    p2, mask2 = _maxpool2x2(a2)
    flat = p2.reshape(len(images), -1)
    logits = flat @ params["w3"] + params["b3"]
    cache = (cols1, z1, mask1, cols2, z2, mask2, p2.shape, flat)
    return logits, cache


def _softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    n = len(labels)
    loss = -np.mean(np.log(probs[np.arange(n), labels] + 1e-12))
    grad = probs
    grad[np.arange(n), labels] -= 1.0
    return loss, grad / n


def backward(params, cache, dlogits):
    cols1, z1, mask1, cols2, z2, mask2, p2_shape, flat = cache
    grads = {"w3": flat.T @ dlogits, "b3": dlogits.sum(axis=0)}
    dp2 = (dlogits @ params["w3"].T).reshape(p2_shape)
    dz2 = _unpool2x2(dp2, mask2) * (z2 > 0)
    grads["w2"] = cols2.reshape(-1, cols2.shape[-1]).T @ dz2.reshape(-1, dz2.shape[-1])
    grads["b2"] = dz2.sum(axis=(0, 1, 2))
    dp1 = _col2im3x3(dz2 @ params["w2"].T, CONV1_CHANNELS)
    dz1 = _unpool2x2(dp1, mask1) * (z1 > 0)
    grads["w1"] = cols1.reshape(-1, cols1.shape[-1]).T @ dz1.reshape(-1, dz1.shape[-1])
    grads["b1"] = dz1.sum(axis=(0, 1, 2))
    return grads


def predict(params, images, batch=256):
    out = [forward(params, images[i:i + batch])[0] for i in range(0, len(images), batch)]
    return np.concatenate(out).argmax(axis=1)


def train(images, labels, seed, epochs=60, batch=32, learning_rate=3e-3, weight_decay=1e-3,
          log=print):
    """Adam with a cosine-decayed step and light L2; returns the float64 parameters."""
    rng = np.random.default_rng(seed)
    params = init_params(rng)
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    steps_per_epoch = (len(labels) + batch - 1) // batch
    total_steps = epochs * steps_per_epoch
    for epoch in range(epochs):
        order = rng.permutation(len(labels))
        epoch_loss = 0.0
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            logits, cache = forward(params, images[idx])
            loss, dlogits = _softmax_cross_entropy(logits, labels[idx])
            epoch_loss += loss * len(idx)
            grads = backward(params, cache, dlogits)
            step += 1
            lr = learning_rate * 0.5 * (1.0 + np.cos(np.pi * (step - 1) / total_steps))
            for k in params:
                g = grads[k] + (weight_decay * params[k] if k.startswith("w") else 0.0)
                m[k] = beta1 * m[k] + (1 - beta1) * g
                v[k] = beta2 * v[k] + (1 - beta2) * g * g
                m_hat = m[k] / (1 - beta1**step)
                v_hat = v[k] / (1 - beta2**step)
                params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
        if log and (epoch % 10 == 9 or epoch == epochs - 1):
            train_acc = np.mean(predict(params, images) == labels)
            log(f"epoch {epoch + 1:3d}: loss {epoch_loss / len(labels):.4f}, "
                f"train accuracy {train_acc * 100:.2f} %")
    return params
