; ModuleID = "godunov_tasep"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"godunov_tasep"(double* noalias %"cur", double* noalias %"nxt", double* noalias %"flux0", i64 %"n0", i64 %"nsteps", double %"t0", double %"dt", double %"p_lambda") nounwind
{
entry:
  %"cur.slot" = alloca double*
  store double* %"cur", double** %"cur.slot"
  %"nxt.slot" = alloca double*
  store double* %"nxt", double** %"nxt.slot"
  %"flux0.slot" = alloca double*
  store double* %"flux0", double** %"flux0.slot"
  %"n0.slot" = alloca i64
  store i64 %"n0", i64* %"n0.slot"
  %"nsteps.slot" = alloca i64
  store i64 %"nsteps", i64* %"nsteps.slot"
  %"t0.slot" = alloca double
  store double %"t0", double* %"t0.slot"
  %"dt.slot" = alloca double
  store double %"dt", double* %"dt.slot"
  %"p_lambda.slot" = alloca double
  store double %"p_lambda", double* %"p_lambda.slot"
  %"step.slot" = alloca i64
  %"gk.slot" = alloca i64
  %"i0.slot" = alloca i64
  %"idx.slot" = alloca i64
  %"csef0_0.slot" = alloca double
  %"csef0_1.slot" = alloca double
  br label %"body"
body:
  %".18" = load i64, i64* %"nsteps.slot"
  store i64 0, i64* %"step.slot"
  br label %"step.head"
step.head:
  %".21" = load i64, i64* %"step.slot"
  %".22" = icmp slt i64 %".21", %".18"
  br i1 %".22", label %"step.body", label %"step.done"
step.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head"
step.done:
  ret void
gk.head:
  %".26" = load i64, i64* %"gk.slot"
  %".27" = icmp slt i64 %".26", 1
  br i1 %".27", label %"gk.body", label %"gk.done"
gk.body:
  %".29" = load double*, double** %"cur.slot"
  %".30" = load i64, i64* %"gk.slot"
  %".31" = sub i64 0, %".30"
  %".32" = getelementptr inbounds double, double* %".29", i64 %".31"
  %".33" = load double*, double** %"cur.slot"
  %".34" = load i64, i64* %"gk.slot"
  %".35" = sub i64 0, %".34"
  %".36" = load i64, i64* %"n0.slot"
  %".37" = add i64 %".35", %".36"
  %".38" = getelementptr inbounds double, double* %".33", i64 %".37"
  %".39" = load double, double* %".38"
  store double %".39", double* %".32"
  %".41" = load i64, i64* %"gk.slot"
  %".42" = add i64 %".41", 1
  store i64 %".42", i64* %"gk.slot"
  br label %"gk.head"
gk.done:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.1"
gk.head.1:
  %".47" = load i64, i64* %"gk.slot"
  %".48" = icmp slt i64 %".47", 1
  br i1 %".48", label %"gk.body.1", label %"gk.done.1"
gk.body.1:
  %".50" = load double*, double** %"cur.slot"
  %".51" = load i64, i64* %"n0.slot"
  %".52" = add i64 1, %".51"
  %".53" = load i64, i64* %"gk.slot"
  %".54" = add i64 %".52", %".53"
  %".55" = getelementptr inbounds double, double* %".50", i64 %".54"
  %".56" = load double*, double** %"cur.slot"
  %".57" = load i64, i64* %"gk.slot"
  %".58" = add i64 1, %".57"
  %".59" = getelementptr inbounds double, double* %".56", i64 %".58"
  %".60" = load double, double* %".59"
  store double %".60", double* %".55"
  %".62" = load i64, i64* %"gk.slot"
  %".63" = add i64 %".62", 1
  store i64 %".63", i64* %"gk.slot"
  br label %"gk.head.1"
gk.done.1:
  %".66" = load i64, i64* %"n0.slot"
  %".67" = add i64 %".66", 2
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
i0.head:
  %".70" = load i64, i64* %"i0.slot"
  %".71" = icmp slt i64 %".70", %".67"
  br i1 %".71", label %"i0.body", label %"i0.done"
i0.body:
  %".73" = load i64, i64* %"i0.slot"
  store i64 %".73", i64* %"idx.slot"
  %".75" = load double*, double** %"cur.slot"
  %".76" = load i64, i64* %"idx.slot"
  %".77" = getelementptr inbounds double, double* %".75", i64 %".76"
  %".78" = load double, double* %".77"
  %".79" = fcmp ogt double 0x3fe0000000000000, %".78"
  %".80" = select  i1 %".79", double 0x3fe0000000000000, double %".78"
  store double %".80", double* %"csef0_0.slot"
  %".82" = load double*, double** %"cur.slot"
  %".83" = load i64, i64* %"idx.slot"
  %".84" = sub i64 %".83", 1
  %".85" = getelementptr inbounds double, double* %".82", i64 %".84"
  %".86" = load double, double* %".85"
  %".87" = fcmp olt double 0x3fe0000000000000, %".86"
  %".88" = select  i1 %".87", double 0x3fe0000000000000, double %".86"
  store double %".88", double* %"csef0_1.slot"
  %".90" = load double*, double** %"flux0.slot"
  %".91" = load i64, i64* %"idx.slot"
  %".92" = getelementptr inbounds double, double* %".90", i64 %".91"
  %".93" = load double, double* %"p_lambda.slot"
  %".94" = load double, double* %"csef0_0.slot"
  %".95" = load double, double* %"csef0_0.slot"
  %".96" = fsub double 0x3ff0000000000000, %".95"
  %".97" = fmul double %".94", %".96"
  %".98" = load double, double* %"csef0_1.slot"
  %".99" = load double, double* %"csef0_1.slot"
  %".100" = fsub double 0x3ff0000000000000, %".99"
  %".101" = fmul double %".98", %".100"
  %".102" = fcmp olt double %".97", %".101"
  %".103" = select  i1 %".102", double %".97", double %".101"
  %".104" = fmul double %".93", %".103"
  store double %".104", double* %".92"
  %".106" = load i64, i64* %"i0.slot"
  %".107" = add i64 %".106", 1
  store i64 %".107", i64* %"i0.slot"
  br label %"i0.head"
i0.done:
  %".110" = load i64, i64* %"n0.slot"
  %".111" = add i64 %".110", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head.1"
i0.head.1:
  %".114" = load i64, i64* %"i0.slot"
  %".115" = icmp slt i64 %".114", %".111"
  br i1 %".115", label %"i0.body.1", label %"i0.done.1"
i0.body.1:
  %".117" = load i64, i64* %"i0.slot"
  store i64 %".117", i64* %"idx.slot"
  %".119" = load double*, double** %"nxt.slot"
  %".120" = load i64, i64* %"idx.slot"
  %".121" = getelementptr inbounds double, double* %".119", i64 %".120"
  %".122" = load double*, double** %"flux0.slot"
  %".123" = load i64, i64* %"idx.slot"
  %".124" = getelementptr inbounds double, double* %".122", i64 %".123"
  %".125" = load double, double* %".124"
  %".126" = load double*, double** %"cur.slot"
  %".127" = load i64, i64* %"idx.slot"
  %".128" = getelementptr inbounds double, double* %".126", i64 %".127"
  %".129" = load double, double* %".128"
  %".130" = fadd double %".125", %".129"
  %".131" = load double*, double** %"flux0.slot"
  %".132" = load i64, i64* %"idx.slot"
  %".133" = add i64 %".132", 1
  %".134" = getelementptr inbounds double, double* %".131", i64 %".133"
  %".135" = load double, double* %".134"
  %".136" = fsub double %".130", %".135"
  store double %".136", double* %".121"
  %".138" = load i64, i64* %"i0.slot"
  %".139" = add i64 %".138", 1
  store i64 %".139", i64* %"i0.slot"
  br label %"i0.head.1"
i0.done.1:
  %".142" = load double*, double** %"cur.slot"
  %".143" = load double*, double** %"nxt.slot"
  store double* %".143", double** %"cur.slot"
  store double* %".142", double** %"nxt.slot"
  %".146" = load i64, i64* %"step.slot"
  %".147" = add i64 %".146", 1
  store i64 %".147", i64* %"step.slot"
  br label %"step.head"
}
