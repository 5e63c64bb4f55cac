#!/usr/bin/python3
"""The README's tour over HTTP/REST with nothing but Python's standard library: health, server and
model metadata, then one digit classified three ways — as JSON, as Triton's binary tensor data, and
through Triton's classification extension.

    /usr/bin/python3 examples/clients/http_tour.py                        # localhost:8000
    /usr/bin/python3 examples/clients/http_tour.py --url http://127.0.0.1:8000 --model digits_fp32

Prints one line per step; exits 1 with the server's message when a request fails.
"""
import argparse
import json
import struct
import sys
import urllib.error
import urllib.request

# The held-out digit the README's tour sends (a 0), 8x8 pixels with values 0..16.
TOUR_DIGIT = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0,
              0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0,
              0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0]

# struct format of one element of each datatype the digits models use.
STRUCT_FORMATS = {"INT8": "b", "UINT8": "B", "INT16": "h", "INT32": "i", "INT64": "q",
                  "FP32": "f", "FP64": "d"}


class ServerError(Exception):
    pass


def request(url, body=None, headers=None):
    """(response headers, body bytes); raises ServerError with the server's message on an error."""
    req = urllib.request.Request(url, data=body, headers=headers or {},
                                 method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.headers, response.read()
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            text = json.loads(text)["error"]
        except (ValueError, KeyError, TypeError):
            pass
        raise ServerError(f"{req.get_method()} {url}: HTTP {error.code}: {text}") from None


def get_json(url):
    return json.loads(request(url)[1])


def post_json(url, document):
    return json.loads(request(url, json.dumps(document).encode(),
                              {"Content-Type": "application/json"})[1])


def is_ok(url):
    """Health endpoints answer 200 when true and 400 when not, with an empty body."""
    try:
        request(url)
        return True
    except ServerError:
        return False


def float32_text(value):
    """The shortest decimal that reads back as the same 32-bit float."""
    target = struct.pack("<f", value)
    for digits in range(6, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == target:
            return text
    return repr(value)


def show(values, datatype):
    """A JSON list of the values, FP32 ones at float precision rather than double."""
    if datatype == "FP32":
        return "[" + ", ".join(float32_text(v) for v in values) + "]"
    return json.dumps(values)


def describe(tensor):
    return f"{tensor['name']} {tensor['datatype']} [{','.join(str(d) for d in tensor['shape'])}]"


def infer_binary(url, input_meta, pixels):
    """Sends the input as binary tensor data and asks for the outputs the same way."""
    fmt = "<" + STRUCT_FORMATS[input_meta["datatype"]] * len(pixels)
    tensor = struct.pack(fmt, *pixels)
    header = json.dumps({
        "inputs": [{"name": input_meta["name"], "shape": [1, 8, 8, 1],
                    "datatype": input_meta["datatype"],
                    "parameters": {"binary_data_size": len(tensor)}}],
        "parameters": {"binary_data_output": True}}).encode()
    headers, body = request(url, header + tensor,
                            {"Content-Type": "application/octet-stream",
                             "Inference-Header-Content-Length": str(len(header))})
    header_length = int(headers.get("Inference-Header-Content-Length", len(body)))
    answer = json.loads(body[:header_length])
    output = answer["outputs"][0]
    size = output["parameters"]["binary_data_size"]
    data = body[header_length:header_length + size]
    element = STRUCT_FORMATS[output["datatype"]]
    return list(struct.unpack("<" + element * (size // struct.calcsize(element)), data))


def tour(base, model, pixels):
    server = get_json(f"{base}/v2")
    live = is_ok(f"{base}/v2/health/live")
    ready = is_ok(f"{base}/v2/health/ready")
    print(f"server: {server['name']}, live: {str(live).lower()}, ready: {str(ready).lower()}")

    metadata = get_json(f"{base}/v2/models/{model}")
    input_meta, output_meta = metadata["inputs"][0], metadata["outputs"][0]
    print(f"model: {metadata['name']} versions {','.join(metadata['versions'])}: "
          f"{describe(input_meta)} -> {describe(output_meta)}")

    infer_url = f"{base}/v2/models/{model}/infer"
    image = {"name": input_meta["name"], "shape": [1, 8, 8, 1],
             "datatype": input_meta["datatype"], "data": pixels}
    scores = post_json(infer_url, {"inputs": [image]})["outputs"][0]["data"]
    print(f"scores (JSON): {show(scores, output_meta['datatype'])}")
    print(f"class: {max(range(len(scores)), key=lambda i: (scores[i], -i))}")

    binary_scores = infer_binary(infer_url, input_meta, pixels)
    print(f"scores (binary tensor data): {show(binary_scores, output_meta['datatype'])}")

    top = post_json(infer_url, {"inputs": [image], "outputs": [
        {"name": output_meta["name"], "parameters": {"classification": 1}}]})
    print(f"top class (classification extension): {top['outputs'][0]['data'][0]}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://localhost:8000", help="inferd's HTTP address")
    parser.add_argument("--model", default="digits_int8", help="a digits model (INT8 or FP32)")
    parser.add_argument("--pixels", default=",".join(str(p) for p in TOUR_DIGIT),
                        help="64 comma-separated pixel values, 0..16 (default: the tour's digit)")
    args = parser.parse_args(argv)
    pixels = [int(p) for p in args.pixels.split(",")]
    if len(pixels) != 64:
        parser.error(f"--pixels has {len(pixels)} values, not 64")
    try:
        tour(args.url.rstrip("/"), args.model, pixels)
    except (ServerError, urllib.error.URLError) as error:
        print(f"http_tour: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
