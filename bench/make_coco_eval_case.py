#!/usr/bin/env python3
"""A COCO-sized synthetic detection case for timing `occam eval-detections` (issue 10, item 8).

5,000 images of 640x480, 80 categories with COCO's non-contiguous ids (1..90 minus 10 gaps),
0-15 ground-truth boxes per image (about 1 % crowd, `area` = 0.6-1.0 of w*h as segments are),
and up to 100 detections per image: every GT found with probability 0.8 by a jittered box, one
to three duplicates for some, the rest random false positives of random categories, scores
uniform in (0, 1) rounded to 3 decimals (many ties). Python's stdlib only; the same seed gives
the same bytes.

    /usr/bin/python3 bench/make_coco_eval_case.py --out /tmp/coco_bench [--seed 0]
    time build/occam eval-detections --gt /tmp/coco_bench/gt.json --detections /tmp/coco_bench/dt.json
"""
import argparse
import json
import os
import random

W, H = 640, 480
MISSING = {12, 26, 29, 30, 45, 66, 68, 69, 71, 83}  # COCO's unused category ids
CATS = [c for c in range(1, 91) if c not in MISSING]
assert len(CATS) == 80


def box(rng):
    w = min(W - 1, max(2.0, rng.lognormvariate(3.8, 0.9)))
    h = min(H - 1, max(2.0, rng.lognormvariate(3.6, 0.9)))
    return [round(rng.uniform(0, W - w), 2), round(rng.uniform(0, H - h), 2), round(w, 2), round(h, 2)]


def jitter(rng, b, s):
    x, y, w, h = b
    return [round(x + rng.gauss(0, s * w), 2), round(y + rng.gauss(0, s * h), 2),
            round(max(1.0, w * (1 + rng.gauss(0, s))), 2), round(max(1.0, h * (1 + rng.gauss(0, s))), 2)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--images", type=int, default=5000)
    a = p.parse_args()
    rng = random.Random(a.seed)
    images, anns, dets = [], [], []
    for i in range(1, a.images + 1):
        images.append({"id": i, "width": W, "height": H, "file_name": "%012d.jpg" % i})
        n_dt = 0
        for _ in range(rng.randint(0, 15)):
            b = box(rng)
            cat = rng.choice(CATS)
            crowd = 1 if rng.random() < 0.01 else 0
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": cat, "bbox": b,
                         "area": round(b[2] * b[3] * rng.uniform(0.6, 1.0), 2), "iscrowd": crowd})
            if rng.random() < 0.8:
                for _ in range(1 + (rng.random() < 0.3) * rng.randint(1, 3)):
                    if n_dt < 100:
                        dets.append({"image_id": i, "category_id": cat, "bbox": jitter(rng, b, 0.1),
                                     "score": round(rng.random(), 3)})
                        n_dt += 1
        for _ in range(rng.randint(0, 100 - n_dt)):
            dets.append({"image_id": i, "category_id": rng.choice(CATS), "bbox": box(rng),
                         "score": round(rng.random() * 0.6, 3)})
    gt = {"images": images, "annotations": anns,
          "categories": [{"id": c, "name": "class%d" % c, "supercategory": "none"} for c in CATS]}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "gt.json"), "w") as f:
        json.dump(gt, f)
    with open(os.path.join(a.out, "dt.json"), "w") as f:
        json.dump(dets, f)
    print("%d images, %d annotations, %d detections -> %s" % (len(images), len(anns), len(dets), a.out))


if __name__ == "__main__":
    main()
