; ModuleID = "advection_diffusion_2d"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"advection_diffusion_2d"(double* noalias %"cur", double* noalias %"nxt", i64 %"n0", i64 %"n1", i64 %"nsteps", double %"t0", double %"dt", double %"nu_x", double %"nu_y", double %"r_x", double %"r_y") nounwind
{
entry:
  %"cur.slot" = alloca double*
  store double* %"cur", double** %"cur.slot"
  %"nxt.slot" = alloca double*
  store double* %"nxt", double** %"nxt.slot"
  %"n0.slot" = alloca i64
  store i64 %"n0", i64* %"n0.slot"
  %"n1.slot" = alloca i64
  store i64 %"n1", i64* %"n1.slot"
  %"nsteps.slot" = alloca i64
  store i64 %"nsteps", i64* %"nsteps.slot"
  %"t0.slot" = alloca double
  store double %"t0", double* %"t0.slot"
  %"dt.slot" = alloca double
  store double %"dt", double* %"dt.slot"
  %"nu_x.slot" = alloca double
  store double %"nu_x", double* %"nu_x.slot"
  %"nu_y.slot" = alloca double
  store double %"nu_y", double* %"nu_y.slot"
  %"r_x.slot" = alloca double
  store double %"r_x", double* %"r_x.slot"
  %"r_y.slot" = alloca double
  store double %"r_y", double* %"r_y.slot"
  %"S0.slot" = alloca i64
  %"step.slot" = alloca i64
  %"gk.slot" = alloca i64
  %"g1.slot" = alloca i64
  %"g0.slot" = alloca i64
  %"i0.slot" = alloca i64
  %"b0.slot" = alloca i64
  %"i1.slot" = alloca i64
  %"idx.slot" = alloca i64
  %"cseu_0.slot" = alloca double
  %"cseu_1.slot" = alloca double
  br label %"body"
body:
  %".24" = load i64, i64* %"n1.slot"
  %".25" = add i64 %".24", 2
  store i64 %".25", i64* %"S0.slot"
  %".27" = load i64, i64* %"nsteps.slot"
  store i64 0, i64* %"step.slot"
  br label %"step.head"
step.head:
  %".30" = load i64, i64* %"step.slot"
  %".31" = icmp slt i64 %".30", %".27"
  br i1 %".31", label %"step.body", label %"step.done"
step.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head"
step.done:
  ret void
gk.head:
  %".35" = load i64, i64* %"gk.slot"
  %".36" = icmp slt i64 %".35", 1
  br i1 %".36", label %"gk.body", label %"gk.done"
gk.body:
  %".38" = load i64, i64* %"n1.slot"
  %".39" = add i64 %".38", 1
  store i64 1, i64* %"g1.slot"
  br label %"g1.head"
gk.done:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.1"
g1.head:
  %".42" = load i64, i64* %"g1.slot"
  %".43" = icmp slt i64 %".42", %".39"
  br i1 %".43", label %"g1.body", label %"g1.done"
g1.body:
  %".45" = load double*, double** %"cur.slot"
  %".46" = load i64, i64* %"gk.slot"
  %".47" = sub i64 0, %".46"
  %".48" = load i64, i64* %"S0.slot"
  %".49" = mul i64 %".47", %".48"
  %".50" = load i64, i64* %"g1.slot"
  %".51" = add i64 %".49", %".50"
  %".52" = getelementptr inbounds double, double* %".45", i64 %".51"
  %".53" = load double*, double** %"cur.slot"
  %".54" = load i64, i64* %"gk.slot"
  %".55" = sub i64 0, %".54"
  %".56" = load i64, i64* %"n0.slot"
  %".57" = add i64 %".55", %".56"
  %".58" = load i64, i64* %"S0.slot"
  %".59" = mul i64 %".57", %".58"
  %".60" = load i64, i64* %"g1.slot"
  %".61" = add i64 %".59", %".60"
  %".62" = getelementptr inbounds double, double* %".53", i64 %".61"
  %".63" = load double, double* %".62"
  store double %".63", double* %".52"
  %".65" = load i64, i64* %"g1.slot"
  %".66" = add i64 %".65", 1
  store i64 %".66", i64* %"g1.slot"
  br label %"g1.head"
g1.done:
  %".69" = load i64, i64* %"gk.slot"
  %".70" = add i64 %".69", 1
  store i64 %".70", i64* %"gk.slot"
  br label %"gk.head"
gk.head.1:
  %".75" = load i64, i64* %"gk.slot"
  %".76" = icmp slt i64 %".75", 1
  br i1 %".76", label %"gk.body.1", label %"gk.done.1"
gk.body.1:
  %".78" = load i64, i64* %"n1.slot"
  %".79" = add i64 %".78", 1
  store i64 1, i64* %"g1.slot"
  br label %"g1.head.1"
gk.done.1:
  %".113" = load i64, i64* %"n0.slot"
  %".114" = add i64 %".113", 2
  store i64 0, i64* %"g0.slot"
  br label %"g0.head"
g1.head.1:
  %".82" = load i64, i64* %"g1.slot"
  %".83" = icmp slt i64 %".82", %".79"
  br i1 %".83", label %"g1.body.1", label %"g1.done.1"
g1.body.1:
  %".85" = load double*, double** %"cur.slot"
  %".86" = load i64, i64* %"n0.slot"
  %".87" = add i64 1, %".86"
  %".88" = load i64, i64* %"gk.slot"
  %".89" = add i64 %".87", %".88"
  %".90" = load i64, i64* %"S0.slot"
  %".91" = mul i64 %".89", %".90"
  %".92" = load i64, i64* %"g1.slot"
  %".93" = add i64 %".91", %".92"
  %".94" = getelementptr inbounds double, double* %".85", i64 %".93"
  %".95" = load double*, double** %"cur.slot"
  %".96" = load i64, i64* %"gk.slot"
  %".97" = add i64 1, %".96"
  %".98" = load i64, i64* %"S0.slot"
  %".99" = mul i64 %".97", %".98"
  %".100" = load i64, i64* %"g1.slot"
  %".101" = add i64 %".99", %".100"
  %".102" = getelementptr inbounds double, double* %".95", i64 %".101"
  %".103" = load double, double* %".102"
  store double %".103", double* %".94"
  %".105" = load i64, i64* %"g1.slot"
  %".106" = add i64 %".105", 1
  store i64 %".106", i64* %"g1.slot"
  br label %"g1.head.1"
g1.done.1:
  %".109" = load i64, i64* %"gk.slot"
  %".110" = add i64 %".109", 1
  store i64 %".110", i64* %"gk.slot"
  br label %"gk.head.1"
g0.head:
  %".117" = load i64, i64* %"g0.slot"
  %".118" = icmp slt i64 %".117", %".114"
  br i1 %".118", label %"g0.body", label %"g0.done"
g0.body:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.2"
g0.done:
  %".153" = load i64, i64* %"n0.slot"
  %".154" = add i64 %".153", 2
  store i64 0, i64* %"g0.slot"
  br label %"g0.head.1"
gk.head.2:
  %".122" = load i64, i64* %"gk.slot"
  %".123" = icmp slt i64 %".122", 1
  br i1 %".123", label %"gk.body.2", label %"gk.done.2"
gk.body.2:
  %".125" = load double*, double** %"cur.slot"
  %".126" = load i64, i64* %"g0.slot"
  %".127" = load i64, i64* %"S0.slot"
  %".128" = mul i64 %".126", %".127"
  %".129" = load i64, i64* %"gk.slot"
  %".130" = sub i64 0, %".129"
  %".131" = add i64 %".128", %".130"
  %".132" = getelementptr inbounds double, double* %".125", i64 %".131"
  %".133" = load double*, double** %"cur.slot"
  %".134" = load i64, i64* %"g0.slot"
  %".135" = load i64, i64* %"S0.slot"
  %".136" = mul i64 %".134", %".135"
  %".137" = load i64, i64* %"gk.slot"
  %".138" = sub i64 0, %".137"
  %".139" = load i64, i64* %"n1.slot"
  %".140" = add i64 %".138", %".139"
  %".141" = add i64 %".136", %".140"
  %".142" = getelementptr inbounds double, double* %".133", i64 %".141"
  %".143" = load double, double* %".142"
  store double %".143", double* %".132"
  %".145" = load i64, i64* %"gk.slot"
  %".146" = add i64 %".145", 1
  store i64 %".146", i64* %"gk.slot"
  br label %"gk.head.2"
gk.done.2:
  %".149" = load i64, i64* %"g0.slot"
  %".150" = add i64 %".149", 1
  store i64 %".150", i64* %"g0.slot"
  br label %"g0.head"
g0.head.1:
  %".157" = load i64, i64* %"g0.slot"
  %".158" = icmp slt i64 %".157", %".154"
  br i1 %".158", label %"g0.body.1", label %"g0.done.1"
g0.body.1:
  store i64 0, i64* %"gk.slot"
  br label %"gk.head.3"
g0.done.1:
  %".193" = load i64, i64* %"n0.slot"
  %".194" = add i64 %".193", 1
  store i64 1, i64* %"i0.slot"
  br label %"i0.head"
gk.head.3:
  %".162" = load i64, i64* %"gk.slot"
  %".163" = icmp slt i64 %".162", 1
  br i1 %".163", label %"gk.body.3", label %"gk.done.3"
gk.body.3:
  %".165" = load double*, double** %"cur.slot"
  %".166" = load i64, i64* %"g0.slot"
  %".167" = load i64, i64* %"S0.slot"
  %".168" = mul i64 %".166", %".167"
  %".169" = load i64, i64* %"n1.slot"
  %".170" = add i64 1, %".169"
  %".171" = load i64, i64* %"gk.slot"
  %".172" = add i64 %".170", %".171"
  %".173" = add i64 %".168", %".172"
  %".174" = getelementptr inbounds double, double* %".165", i64 %".173"
  %".175" = load double*, double** %"cur.slot"
  %".176" = load i64, i64* %"g0.slot"
  %".177" = load i64, i64* %"S0.slot"
  %".178" = mul i64 %".176", %".177"
  %".179" = load i64, i64* %"gk.slot"
  %".180" = add i64 1, %".179"
  %".181" = add i64 %".178", %".180"
  %".182" = getelementptr inbounds double, double* %".175", i64 %".181"
  %".183" = load double, double* %".182"
  store double %".183", double* %".174"
  %".185" = load i64, i64* %"gk.slot"
  %".186" = add i64 %".185", 1
  store i64 %".186", i64* %"gk.slot"
  br label %"gk.head.3"
gk.done.3:
  %".189" = load i64, i64* %"g0.slot"
  %".190" = add i64 %".189", 1
  store i64 %".190", i64* %"g0.slot"
  br label %"g0.head.1"
i0.head:
  %".197" = load i64, i64* %"i0.slot"
  %".198" = icmp slt i64 %".197", %".194"
  br i1 %".198", label %"i0.body", label %"i0.done"
i0.body:
  %".200" = load i64, i64* %"i0.slot"
  %".201" = load i64, i64* %"S0.slot"
  %".202" = mul i64 %".200", %".201"
  store i64 %".202", i64* %"b0.slot"
  %".204" = load i64, i64* %"n1.slot"
  %".205" = add i64 %".204", 1
  store i64 1, i64* %"i1.slot"
  br label %"i1.head"
i0.done:
  %".300" = load double*, double** %"cur.slot"
  %".301" = load double*, double** %"nxt.slot"
  store double* %".301", double** %"cur.slot"
  store double* %".300", double** %"nxt.slot"
  %".304" = load i64, i64* %"step.slot"
  %".305" = add i64 %".304", 1
  store i64 %".305", i64* %"step.slot"
  br label %"step.head"
i1.head:
  %".208" = load i64, i64* %"i1.slot"
  %".209" = icmp slt i64 %".208", %".205"
  br i1 %".209", label %"i1.body", label %"i1.done"
i1.body:
  %".211" = load i64, i64* %"b0.slot"
  %".212" = load i64, i64* %"i1.slot"
  %".213" = add i64 %".211", %".212"
  store i64 %".213", i64* %"idx.slot"
  %".215" = load double*, double** %"cur.slot"
  %".216" = load i64, i64* %"idx.slot"
  %".217" = getelementptr inbounds double, double* %".215", i64 %".216"
  %".218" = load double, double* %".217"
  %".219" = fmul double 0xbff0000000000000, %".218"
  store double %".219", double* %"cseu_0.slot"
  %".221" = load double*, double** %"cur.slot"
  %".222" = load i64, i64* %"idx.slot"
  %".223" = getelementptr inbounds double, double* %".221", i64 %".222"
  %".224" = load double, double* %".223"
  %".225" = fmul double 0xc000000000000000, %".224"
  store double %".225", double* %"cseu_1.slot"
  %".227" = load double*, double** %"nxt.slot"
  %".228" = load i64, i64* %"idx.slot"
  %".229" = getelementptr inbounds double, double* %".227", i64 %".228"
  %".230" = load double, double* %"r_x.slot"
  %".231" = load double, double* %"cseu_1.slot"
  %".232" = load double*, double** %"cur.slot"
  %".233" = load i64, i64* %"idx.slot"
  %".234" = load i64, i64* %"S0.slot"
  %".235" = add i64 %".233", %".234"
  %".236" = getelementptr inbounds double, double* %".232", i64 %".235"
  %".237" = load double, double* %".236"
  %".238" = fadd double %".231", %".237"
  %".239" = load double*, double** %"cur.slot"
  %".240" = load i64, i64* %"idx.slot"
  %".241" = load i64, i64* %"S0.slot"
  %".242" = sub i64 %".240", %".241"
  %".243" = getelementptr inbounds double, double* %".239", i64 %".242"
  %".244" = load double, double* %".243"
  %".245" = fadd double %".238", %".244"
  %".246" = fmul double %".230", %".245"
  %".247" = load double, double* %"r_y.slot"
  %".248" = load double, double* %"cseu_1.slot"
  %".249" = load double*, double** %"cur.slot"
  %".250" = load i64, i64* %"idx.slot"
  %".251" = add i64 %".250", 1
  %".252" = getelementptr inbounds double, double* %".249", i64 %".251"
  %".253" = load double, double* %".252"
  %".254" = fadd double %".248", %".253"
  %".255" = load double*, double** %"cur.slot"
  %".256" = load i64, i64* %"idx.slot"
  %".257" = sub i64 %".256", 1
  %".258" = getelementptr inbounds double, double* %".255", i64 %".257"
  %".259" = load double, double* %".258"
  %".260" = fadd double %".254", %".259"
  %".261" = fmul double %".247", %".260"
  %".262" = fadd double %".246", %".261"
  %".263" = load double*, double** %"cur.slot"
  %".264" = load i64, i64* %"idx.slot"
  %".265" = getelementptr inbounds double, double* %".263", i64 %".264"
  %".266" = load double, double* %".265"
  %".267" = fadd double %".262", %".266"
  %".268" = load double, double* %"nu_x.slot"
  %".269" = load double, double* %"cseu_0.slot"
  %".270" = fneg double %".269"
  %".271" = load double*, double** %"cur.slot"
  %".272" = load i64, i64* %"idx.slot"
  %".273" = load i64, i64* %"S0.slot"
  %".274" = sub i64 %".272", %".273"
  %".275" = getelementptr inbounds double, double* %".271", i64 %".274"
  %".276" = load double, double* %".275"
  %".277" = fsub double %".270", %".276"
  %".278" = fmul double %".268", %".277"
  %".279" = fsub double %".267", %".278"
  %".280" = load double, double* %"nu_y.slot"
  %".281" = load double, double* %"cseu_0.slot"
  %".282" = fneg double %".281"
  %".283" = load double*, double** %"cur.slot"
  %".284" = load i64, i64* %"idx.slot"
  %".285" = sub i64 %".284", 1
  %".286" = getelementptr inbounds double, double* %".283", i64 %".285"
  %".287" = load double, double* %".286"
  %".288" = fsub double %".282", %".287"
  %".289" = fmul double %".280", %".288"
  %".290" = fsub double %".279", %".289"
  store double %".290", double* %".229"
  %".292" = load i64, i64* %"i1.slot"
  %".293" = add i64 %".292", 1
  store i64 %".293", i64* %"i1.slot"
  br label %"i1.head"
i1.done:
  %".296" = load i64, i64* %"i0.slot"
  %".297" = add i64 %".296", 1
  store i64 %".297", i64* %"i0.slot"
  br label %"i0.head"
}
