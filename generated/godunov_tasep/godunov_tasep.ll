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
  %".57" = load i64, i64* %"n0.slot"
  %".58" = add i64 1, %".57"
  %".59" = load i64, i64* %"gk.slot"
  %".60" = add i64 %".58", %".59"
  %".61" = load i64, i64* %"n0.slot"
  %".62" = sub i64 %".60", %".61"
  %".63" = getelementptr inbounds double, double* %".56", i64 %".62"
  %".64" = load double, double* %".63"
  store double %".64", double* %".55"
  %".66" = load i64, i64* %"gk.slot"
  %".67" = add i64 %".66", 1
  store i64 %".67", i64* %"gk.slot"
  br label %"gk.head.1"
gk.done.1:
  %".70" = load i64, i64* %"n0.slot"
  %".71" = add i64 %".70", 2
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
i0.head:
  %".74" = load i64, i64* %"i0.slot"
  %".75" = icmp slt i64 %".74", %".71"
  br i1 %".75", label %"i0.body", label %"i0.done"
i0.body:
  %".77" = load i64, i64* %"i0.slot"
  store i64 %".77", i64* %"idx.slot"
  %".79" = load double*, double** %"cur.slot"
  %".80" = load i64, i64* %"idx.slot"
  %".81" = getelementptr inbounds double, double* %".79", i64 %".80"
  %".82" = load double, double* %".81"
  %".83" = fcmp ogt double 0x3fe0000000000000, %".82"
  %".84" = select  i1 %".83", double 0x3fe0000000000000, double %".82"
  store double %".84", double* %"csef0_0.slot"
  %".86" = load double*, double** %"cur.slot"
  %".87" = load i64, i64* %"idx.slot"
  %".88" = sub i64 %".87", 1
  %".89" = getelementptr inbounds double, double* %".86", i64 %".88"
  %".90" = load double, double* %".89"
  %".91" = fcmp olt double 0x3fe0000000000000, %".90"
  %".92" = select  i1 %".91", double 0x3fe0000000000000, double %".90"
  store double %".92", double* %"csef0_1.slot"
  %".94" = load double*, double** %"flux0.slot"
  %".95" = load i64, i64* %"idx.slot"
  %".96" = getelementptr inbounds double, double* %".94", i64 %".95"
  %".97" = load double, double* %"p_lambda.slot"
  %".98" = load double, double* %"csef0_0.slot"
  %".99" = load double, double* %"csef0_0.slot"
  %".100" = fsub double 0x3ff0000000000000, %".99"
  %".101" = fmul double %".98", %".100"
  %".102" = load double, double* %"csef0_1.slot"
  %".103" = load double, double* %"csef0_1.slot"
  %".104" = fsub double 0x3ff0000000000000, %".103"
  %".105" = fmul double %".102", %".104"
  %".106" = fcmp olt double %".101", %".105"
  %".107" = select  i1 %".106", double %".101", double %".105"
  %".108" = fmul double %".97", %".107"
  store double %".108", double* %".96"
  %".110" = load i64, i64* %"i0.slot"
  %".111" = add i64 %".110", 1
  store i64 %".111", i64* %"i0.slot"
  br label %"i0.head"
i0.done:
  %".114" = load i64, i64* %"n0.slot"
  %".115" = add i64 %".114", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head.1"
i0.head.1:
  %".118" = load i64, i64* %"i0.slot"
  %".119" = icmp slt i64 %".118", %".115"
  br i1 %".119", label %"i0.body.1", label %"i0.done.1"
i0.body.1:
  %".121" = load i64, i64* %"i0.slot"
  store i64 %".121", i64* %"idx.slot"
  %".123" = load double*, double** %"nxt.slot"
  %".124" = load i64, i64* %"idx.slot"
  %".125" = getelementptr inbounds double, double* %".123", i64 %".124"
  %".126" = load double*, double** %"flux0.slot"
  %".127" = load i64, i64* %"idx.slot"
  %".128" = getelementptr inbounds double, double* %".126", i64 %".127"
  %".129" = load double, double* %".128"
  %".130" = load double*, double** %"cur.slot"
  %".131" = load i64, i64* %"idx.slot"
  %".132" = getelementptr inbounds double, double* %".130", i64 %".131"
  %".133" = load double, double* %".132"
  %".134" = fadd double %".129", %".133"
  %".135" = load double*, double** %"flux0.slot"
  %".136" = load i64, i64* %"idx.slot"
  %".137" = add i64 %".136", 1
  %".138" = getelementptr inbounds double, double* %".135", i64 %".137"
  %".139" = load double, double* %".138"
  %".140" = fsub double %".134", %".139"
  store double %".140", double* %".125"
  %".142" = load i64, i64* %"i0.slot"
  %".143" = add i64 %".142", 1
  store i64 %".143", i64* %"i0.slot"
  br label %"i0.head.1"
i0.done.1:
  %".146" = load double*, double** %"cur.slot"
  %".147" = load double*, double** %"nxt.slot"
  store double* %".147", double** %"cur.slot"
  store double* %".146", double** %"nxt.slot"
  %".150" = load i64, i64* %"step.slot"
  %".151" = add i64 %".150", 1
  store i64 %".151", i64* %"step.slot"
  br label %"step.head"
}
