// Code generated for dumpgen's names mode (two types with very long names, 24 methods each,
// one closure in each method). DO NOT EDIT by hand: the names are the point.

package main

import (
	"context"
	"runtime/trace"
)

// A and B stand for types whose names are 980 and 1100 bytes long: a method's
// function name is "main.(*NAME).Mnn" and its closure's "main.(*NAME).Mnn.func1".
type A = LongTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryName
type B = LongerTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinary
type LongTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryName struct{}
type LongerTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinaryNameTheStackTableOfAGoExecutionTraceNamesEveryFrameByItsFunctionAndFileSoThisTypeNameMakesMethodNamesLongerThanAnyOrdinary struct{}

const nmethods = 48

// step calls the method the next digit names, or logs at the end of the path.
//
//go:noinline
func (c *cur) step() {
	if len(c.p) == 0 {
		trace.Log(context.Background(), "names", "bottom")
		return
	}
	d := c.p[0]
	c.p = c.p[1:]
	switch d {
	case 0:
		(*A)(nil).M00(c)
	case 1:
		(*A)(nil).M01(c)
	case 2:
		(*A)(nil).M02(c)
	case 3:
		(*A)(nil).M03(c)
	case 4:
		(*A)(nil).M04(c)
	case 5:
		(*A)(nil).M05(c)
	case 6:
		(*A)(nil).M06(c)
	case 7:
		(*A)(nil).M07(c)
	case 8:
		(*A)(nil).M08(c)
	case 9:
		(*A)(nil).M09(c)
	case 10:
		(*A)(nil).M10(c)
	case 11:
		(*A)(nil).M11(c)
	case 12:
		(*A)(nil).M12(c)
	case 13:
		(*A)(nil).M13(c)
	case 14:
		(*A)(nil).M14(c)
	case 15:
		(*A)(nil).M15(c)
	case 16:
		(*A)(nil).M16(c)
	case 17:
		(*A)(nil).M17(c)
	case 18:
		(*A)(nil).M18(c)
	case 19:
		(*A)(nil).M19(c)
	case 20:
		(*A)(nil).M20(c)
	case 21:
		(*A)(nil).M21(c)
	case 22:
		(*A)(nil).M22(c)
	case 23:
		(*A)(nil).M23(c)
	case 24:
		(*B)(nil).M24(c)
	case 25:
		(*B)(nil).M25(c)
	case 26:
		(*B)(nil).M26(c)
	case 27:
		(*B)(nil).M27(c)
	case 28:
		(*B)(nil).M28(c)
	case 29:
		(*B)(nil).M29(c)
	case 30:
		(*B)(nil).M30(c)
	case 31:
		(*B)(nil).M31(c)
	case 32:
		(*B)(nil).M32(c)
	case 33:
		(*B)(nil).M33(c)
	case 34:
		(*B)(nil).M34(c)
	case 35:
		(*B)(nil).M35(c)
	case 36:
		(*B)(nil).M36(c)
	case 37:
		(*B)(nil).M37(c)
	case 38:
		(*B)(nil).M38(c)
	case 39:
		(*B)(nil).M39(c)
	case 40:
		(*B)(nil).M40(c)
	case 41:
		(*B)(nil).M41(c)
	case 42:
		(*B)(nil).M42(c)
	case 43:
		(*B)(nil).M43(c)
	case 44:
		(*B)(nil).M44(c)
	case 45:
		(*B)(nil).M45(c)
	case 46:
		(*B)(nil).M46(c)
	default:
		(*B)(nil).M47(c)
	}
}

//go:noinline
func (*A) M00(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M01(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M02(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M03(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M04(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M05(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M06(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M07(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M08(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M09(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M10(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M11(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M12(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M13(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M14(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M15(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M16(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M17(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M18(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M19(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M20(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M21(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M22(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*A) M23(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M24(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M25(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M26(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M27(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M28(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M29(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M30(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M31(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M32(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M33(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M34(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M35(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M36(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M37(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M38(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M39(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M40(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M41(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M42(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M43(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M44(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M45(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M46(c *cur) { c.call(func() { c.step() }) }

//go:noinline
func (*B) M47(c *cur) { c.call(func() { c.step() }) }
