"""Checks tools/executorch_pte.py against ExecuTorch's published .pte layout: the ET12 identifier,
the eh00 extended header at byte 8 and what it says, the segment base aligned and holding the
delegate blob, and the program decoding back (with flatc) to one EthosUBackend delegate."""

import os
import struct
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import executorch_pte  # noqa: E402

BLOB = b"vela_bin_stream".ljust(32, b"\0") + bytes(range(48))  # any bytes: the tool only wraps
IO = (["Char:1,8,8,1"], ["Char:1,10"])


def decode(pte):
    return executorch_pte.decode(pte)


class ExecuTorchPteTest(unittest.TestCase):
    def test_segment_layout_follows_the_extended_header(self):
        pte = executorch_pte.build_pte(BLOB, *IO)
        self.assertEqual(pte[4:8], b"ET12")
        magic, length, program_size, segment_base = struct.unpack_from("<4sIQQ", pte, 8)
        self.assertEqual(magic, b"eh00")
        self.assertEqual(length, 24)
        self.assertLess(program_size, segment_base)
        self.assertEqual(segment_base % executorch_pte.SEGMENT_ALIGNMENT, 0)
        self.assertEqual(pte[segment_base:segment_base + len(BLOB)], BLOB)
        self.assertEqual(len(pte) % executorch_pte.SEGMENT_ALIGNMENT, 0)
        program = decode(pte)
        plan = program["execution_plan"][0]
        self.assertEqual(plan["name"], "forward")
        self.assertEqual([d["id"] for d in plan["delegates"]], ["EthosUBackend"])
        self.assertEqual(plan["delegates"][0]["processed"]["location"], "SEGMENT")
        (segment,) = program["segments"]  # flatc leaves out fields at their default (offset 0)
        self.assertEqual((segment.get("offset", 0), segment["size"]), (0, len(BLOB)))
        # The root offset moved with the inserted header: the tables still decode.
        self.assertEqual(plan["values"][0]["val"]["sizes"], [1, 8, 8, 1])

    def test_inline_data_without_a_header(self):
        pte = executorch_pte.build_pte(BLOB, *IO, inline=True, header=False)
        self.assertNotEqual(pte[8:10], b"eh")
        program = decode(pte)
        self.assertEqual(bytes(program["backend_delegate_data"][0]["data"]), BLOB)

    def test_a_cpu_operator_is_a_kernel_call_before_the_delegate_call(self):
        program = decode(executorch_pte.build_pte(BLOB, *IO, cpu_op="aten::add"))
        kinds = [i["instr_args_type"]
                 for i in program["execution_plan"][0]["chains"][0]["instructions"]]
        self.assertEqual(kinds, ["KernelCall", "DelegateCall"])

    def test_float_edges_follow_executorchs_emitter(self):
        program = decode(executorch_pte.build_pte(
            BLOB, ["Float:1,8,8,1@0.05,-3"], ["Float:1,10@0.125,2,Byte,0,255"]))
        plan = program["execution_plan"][0]
        names = [f'{op["name"]}.{op["overload"]}' for op in plan["operators"]]
        self.assertEqual(names, ["quantized_decomposed::quantize_per_tensor.out",
                                 "quantized_decomposed::dequantize_per_tensor.out"])
        calls = [(i["instr_args_type"], i["instr_args"])
                 for i in plan["chains"][0]["instructions"]]
        self.assertEqual([kind for kind, _ in calls], ["KernelCall", "DelegateCall", "KernelCall"])
        values = plan["values"]
        quantize, delegate, dequantize = (args["args"] for _, args in calls)
        # input, scale, zero point, quant_min, quant_max, dtype, out, returned value
        self.assertEqual(len(quantize), 8)
        self.assertEqual(quantize[0], plan["inputs"][0])
        self.assertEqual(values[quantize[1]]["val"]["double_val"], 0.05)
        self.assertEqual(values[quantize[2]]["val"]["int_val"], -3)
        self.assertEqual(values[quantize[6]]["val"]["scalar_type"], "Char")
        self.assertEqual(quantize[6], quantize[7])
        # quantized_decomposed's dequantize also has out_dtype (None).
        self.assertEqual(len(dequantize), 9)
        self.assertEqual(values[dequantize[6]]["val_type"], "Null")
        self.assertEqual(dequantize[-1], plan["outputs"][0])
        # flatc leaves out a field at its default (Byte = 0).
        self.assertEqual(values[dequantize[0]]["val"].get("scalar_type", "Byte"), "Byte")
        self.assertEqual(delegate, [quantize[6], dequantize[0]])

    def test_cortex_m_dequantize_has_no_out_dtype(self):
        program = decode(executorch_pte.build_pte(BLOB, ["Float:1,4@0.5,0"], ["Float:1,4@0.5,0"],
                                                  cortex_m=True))
        plan = program["execution_plan"][0]
        self.assertEqual(plan["operators"][1]["name"], "cortex_m::dequantize_per_tensor")
        dequantize = plan["chains"][0]["instructions"][2]["instr_args"]["args"]
        self.assertEqual(len(dequantize), 8)

    def test_segments_need_the_header(self):
        with self.assertRaises(ValueError):
            executorch_pte.build_pte(BLOB, *IO, header=False)


if __name__ == "__main__":
    unittest.main()
