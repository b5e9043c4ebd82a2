; ModuleID = "lax_wendroff"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"lax_wendroff"(double* noalias %"cur", double* noalias %"nxt", i64 %"n0", i64 %"nsteps", double %"t0", double %"dt", double %"nu") nounwind
{
entry:
  %"cur.slot" = alloca double*
  store double* %"cur", double** %"cur.slot"
  %"nxt.slot" = alloca double*
  store double* %"nxt", double** %"nxt.slot"
  %"n0.slot" = alloca i64
  store i64 %"n0", i64* %"n0.slot"
  %"nsteps.slot" = alloca i64
  store i64 %"nsteps", i64* %"nsteps.slot"
  %"t0.slot" = alloca double
  store double %"t0", double* %"t0.slot"
  %"dt.slot" = alloca double
  store double %"dt", double* %"dt.slot"
  %"nu.slot" = alloca double
  store double %"nu", double* %"nu.slot"
  %"step.slot" = alloca i64
  %"gk.slot" = alloca i64
  %"i0.slot" = alloca i64
  %"idx.slot" = alloca i64
  br label %"body"
body:
  %".16" = load i64, i64* %"nsteps.slot"
  store i64 0, i64* %"step.slot"
  br label %"step.head"
step.head:
  %".19" = load i64, i64* %"step.slot"
  %".20" = icmp slt i64 %".19", %".16"
  br i1 %".20", label %"step.body", label %"step.done"
step.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head"
step.done:
  ret void
gk.head:
  %".24" = load i64, i64* %"gk.slot"
  %".25" = icmp slt i64 %".24", 1
  br i1 %".25", label %"gk.body", label %"gk.done"
gk.body:
  %".27" = load double*, double** %"cur.slot"
  %".28" = load i64, i64* %"gk.slot"
  %".29" = sub i64 0, %".28"
  %".30" = getelementptr inbounds double, double* %".27", i64 %".29"
  %".31" = load double*, double** %"cur.slot"
  %".32" = load i64, i64* %"gk.slot"
  %".33" = sub i64 0, %".32"
  %".34" = load i64, i64* %"n0.slot"
  %".35" = add i64 %".33", %".34"
  %".36" = getelementptr inbounds double, double* %".31", i64 %".35"
  %".37" = load double, double* %".36"
  store double %".37", double* %".30"
  %".39" = load i64, i64* %"gk.slot"
  %".40" = add i64 %".39", 1
  store i64 %".40", i64* %"gk.slot"
  br label %"gk.head"
gk.done:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.1"
gk.head.1:
  %".45" = load i64, i64* %"gk.slot"
  %".46" = icmp slt i64 %".45", 1
  br i1 %".46", label %"gk.body.1", label %"gk.done.1"
gk.body.1:
  %".48" = load double*, double** %"cur.slot"
  %".49" = load i64, i64* %"n0.slot"
  %".50" = add i64 1, %".49"
  %".51" = load i64, i64* %"gk.slot"
  %".52" = add i64 %".50", %".51"
  %".53" = getelementptr inbounds double, double* %".48", i64 %".52"
  %".54" = load double*, double** %"cur.slot"
  %".55" = load i64, i64* %"n0.slot"
  %".56" = add i64 1, %".55"
  %".57" = load i64, i64* %"gk.slot"
  %".58" = add i64 %".56", %".57"
  %".59" = load i64, i64* %"n0.slot"
  %".60" = sub i64 %".58", %".59"
  %".61" = getelementptr inbounds double, double* %".54", i64 %".60"
  %".62" = load double, double* %".61"
  store double %".62", double* %".53"
  %".64" = load i64, i64* %"gk.slot"
  %".65" = add i64 %".64", 1
  store i64 %".65", i64* %"gk.slot"
  br label %"gk.head.1"
gk.done.1:
  %".68" = load i64, i64* %"n0.slot"
  %".69" = add i64 %".68", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
i0.head:
  %".72" = load i64, i64* %"i0.slot"
  %".73" = icmp slt i64 %".72", %".69"
  br i1 %".73", label %"i0.body", label %"i0.done"
i0.body:
  %".75" = load i64, i64* %"i0.slot"
  store i64 %".75", i64* %"idx.slot"
  %".77" = load double*, double** %"nxt.slot"
  %".78" = load i64, i64* %"idx.slot"
  %".79" = getelementptr inbounds double, double* %".77", i64 %".78"
  %".80" = load double, double* %"nu.slot"
  %".81" = load double, double* %"nu.slot"
  %".82" = fmul double %".80", %".81"
  %".83" = load double*, double** %"cur.slot"
  %".84" = load i64, i64* %"idx.slot"
  %".85" = add i64 %".84", 1
  %".86" = getelementptr inbounds double, double* %".83", i64 %".85"
  %".87" = load double, double* %".86"
  %".88" = load double*, double** %"cur.slot"
  %".89" = load i64, i64* %"idx.slot"
  %".90" = sub i64 %".89", 1
  %".91" = getelementptr inbounds double, double* %".88", i64 %".90"
  %".92" = load double, double* %".91"
  %".93" = fadd double %".87", %".92"
  %".94" = load double*, double** %"cur.slot"
  %".95" = load i64, i64* %"idx.slot"
  %".96" = getelementptr inbounds double, double* %".94", i64 %".95"
  %".97" = load double, double* %".96"
  %".98" = fmul double 0x4000000000000000, %".97"
  %".99" = fsub double %".93", %".98"
  %".100" = fmul double %".82", %".99"
  %".101" = fdiv double %".100", 0x4000000000000000
  %".102" = load double*, double** %"cur.slot"
  %".103" = load i64, i64* %"idx.slot"
  %".104" = getelementptr inbounds double, double* %".102", i64 %".103"
  %".105" = load double, double* %".104"
  %".106" = fadd double %".101", %".105"
  %".107" = load double, double* %"nu.slot"
  %".108" = load double*, double** %"cur.slot"
  %".109" = load i64, i64* %"idx.slot"
  %".110" = add i64 %".109", 1
  %".111" = getelementptr inbounds double, double* %".108", i64 %".110"
  %".112" = load double, double* %".111"
  %".113" = load double*, double** %"cur.slot"
  %".114" = load i64, i64* %"idx.slot"
  %".115" = sub i64 %".114", 1
  %".116" = getelementptr inbounds double, double* %".113", i64 %".115"
  %".117" = load double, double* %".116"
  %".118" = fsub double %".112", %".117"
  %".119" = fmul double %".107", %".118"
  %".120" = fdiv double %".119", 0x4000000000000000
  %".121" = fsub double %".106", %".120"
  store double %".121", double* %".79"
  %".123" = load i64, i64* %"i0.slot"
  %".124" = add i64 %".123", 1
  store i64 %".124", i64* %"i0.slot"
  br label %"i0.head"
i0.done:
  %".127" = load double*, double** %"cur.slot"
  %".128" = load double*, double** %"nxt.slot"
  store double* %".128", double** %"cur.slot"
  store double* %".127", double** %"nxt.slot"
  %".131" = load i64, i64* %"step.slot"
  %".132" = add i64 %".131", 1
  store i64 %".132", i64* %"step.slot"
  br label %"step.head"
}
