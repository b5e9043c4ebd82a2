; ModuleID = "upwind"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"upwind"(double* noalias %"cur", double* noalias %"nxt", i64 %"n0", i64 %"nsteps", double %"t0", double %"dt", double %"nu") nounwind
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
  %".55" = load i64, i64* %"gk.slot"
  %".56" = add i64 1, %".55"
  %".57" = getelementptr inbounds double, double* %".54", i64 %".56"
  %".58" = load double, double* %".57"
  store double %".58", double* %".53"
  %".60" = load i64, i64* %"gk.slot"
  %".61" = add i64 %".60", 1
  store i64 %".61", i64* %"gk.slot"
  br label %"gk.head.1"
gk.done.1:
  %".64" = load i64, i64* %"n0.slot"
  %".65" = add i64 %".64", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
i0.head:
  %".68" = load i64, i64* %"i0.slot"
  %".69" = icmp slt i64 %".68", %".65"
  br i1 %".69", label %"i0.body", label %"i0.done"
i0.body:
  %".71" = load i64, i64* %"i0.slot"
  store i64 %".71", i64* %"idx.slot"
  %".73" = load double*, double** %"nxt.slot"
  %".74" = load i64, i64* %"idx.slot"
  %".75" = getelementptr inbounds double, double* %".73", i64 %".74"
  %".76" = load double*, double** %"cur.slot"
  %".77" = load i64, i64* %"idx.slot"
  %".78" = getelementptr inbounds double, double* %".76", i64 %".77"
  %".79" = load double, double* %".78"
  %".80" = load double, double* %"nu.slot"
  %".81" = load double*, double** %"cur.slot"
  %".82" = load i64, i64* %"idx.slot"
  %".83" = getelementptr inbounds double, double* %".81", i64 %".82"
  %".84" = load double, double* %".83"
  %".85" = load double*, double** %"cur.slot"
  %".86" = load i64, i64* %"idx.slot"
  %".87" = sub i64 %".86", 1
  %".88" = getelementptr inbounds double, double* %".85", i64 %".87"
  %".89" = load double, double* %".88"
  %".90" = fsub double %".84", %".89"
  %".91" = fmul double %".80", %".90"
  %".92" = fsub double %".79", %".91"
  store double %".92", double* %".75"
  %".94" = load i64, i64* %"i0.slot"
  %".95" = add i64 %".94", 1
  store i64 %".95", i64* %"i0.slot"
  br label %"i0.head"
i0.done:
  %".98" = load double*, double** %"cur.slot"
  %".99" = load double*, double** %"nxt.slot"
  store double* %".99", double** %"cur.slot"
  store double* %".98", double** %"nxt.slot"
  %".102" = load i64, i64* %"step.slot"
  %".103" = add i64 %".102", 1
  store i64 %".103", i64* %"step.slot"
  br label %"step.head"
}
