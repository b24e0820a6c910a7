using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tabula.Layers;

/// <summary>
/// The CRC-32 of gzip and zip (reflected polynomial 0xEDB88320), slice-by-8, and <see cref="Combine"/>, which joins
/// the CRCs of two adjacent pieces without seeing their bytes (zlib's crc32_combine), so blocks compressed on
/// different threads can each be checksummed where they are compressed.
/// </summary>
internal static class GzipCrc32
{
    private const uint Polynomial = 0xEDB88320;
    private static readonly uint[] Tables = CreateTables();
    private static readonly uint[] PowersOfX = CreatePowers();

    /// <summary>The CRC of the bytes so far (<paramref name="crc"/>, 0 for none) followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ref uint t = ref MemoryMarshal.GetArrayDataReference(Tables);
        ref byte p = ref MemoryMarshal.GetReference(data);
        int length = data.Length, i = 0;
        crc = ~crc;
        for (; i + 8 <= length; i += 8)
        {
            // Little-endian words (every platform .NET runs Linux containers on).
            uint one = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)) ^ crc;
            uint two = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4));
            crc = Unsafe.Add(ref t, 7 * 256 + (int)(one & 0xff))
                ^ Unsafe.Add(ref t, 6 * 256 + (int)((one >> 8) & 0xff))
                ^ Unsafe.Add(ref t, 5 * 256 + (int)((one >> 16) & 0xff))
                ^ Unsafe.Add(ref t, 4 * 256 + (int)(one >> 24))
                ^ Unsafe.Add(ref t, 3 * 256 + (int)(two & 0xff))
                ^ Unsafe.Add(ref t, 2 * 256 + (int)((two >> 8) & 0xff))
                ^ Unsafe.Add(ref t, 1 * 256 + (int)((two >> 16) & 0xff))
                ^ Unsafe.Add(ref t, (int)(two >> 24));
        }
        for (; i < length; i++)
            crc = Unsafe.Add(ref t, (int)((crc ^ Unsafe.Add(ref p, i)) & 0xff)) ^ (crc >> 8);
        return ~crc;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC of A followed by B, given CRC(A), CRC(B) and the length of B.</summary>
    public static uint Combine(uint crcA, uint crcB, long lengthB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthB);
        return MultiplyModP(XPow8N(lengthB), crcA) ^ crcB;
    }

    // Polynomials over GF(2), reflected: bit 31 is x^0. From zlib's crc32.c (multmodp, x2nmodp).
    private static uint MultiplyModP(uint a, uint b)
    {
        uint m = 1u << 31, product = 0;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0) break;
            }
            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
        return product;
    }

    /// <summary>x^(8n) mod p: appending n zero bytes multiplies a CRC by this.</summary>
    private static uint XPow8N(long n)
    {
        uint p = 1u << 31; // x^0
        int k = 3;         // 2^3 = 8 bits a byte
        while (n != 0)
        {
            if ((n & 1) != 0) p = MultiplyModP(PowersOfX[k & 31], p);
            n >>= 1;
            k++;
        }
        return p;
    }

    private static uint[] CreatePowers()
    {
        var powers = new uint[32];
        uint p = 1u << 30; // x^1
        powers[0] = p;
        for (int n = 1; n < 32; n++) powers[n] = p = MultiplyModP(p, p);
        return powers;
    }

    private static uint[] CreateTables()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            t[i] = c;
        }
        for (int i = 0; i < 256; i++)
            for (int s = 1; s < 8; s++)
                t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[(int)(t[(s - 1) * 256 + i] & 0xff)];
        return t;
    }
}
